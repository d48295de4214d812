-- Each day's people as the bitmap's bytes: base64 text cost a third more
-- room and a decoding on every read. Rows written before keep their text
-- (`people`) until rewritten; new ones leave it empty.
ALTER TABLE analytics_days ADD COLUMN bits BLOB;
