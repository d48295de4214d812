//! The MSPDI reader and the whole `tandem schedule` path on arbitrary
//! bytes: never a panic; a file that reads writes back to a file that
//! reads again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem_formats::mspdi;

fuzz_target!(|data: &[u8]| {
    let limits = mspdi::Limits { max_bytes: 1 << 20, ..mspdi::Limits::default() };
    if let Ok(doc) = mspdi::read_with(data, &limits) {
        let again = mspdi::write(&doc);
        assert!(mspdi::read_with(again.as_bytes(), &mspdi::Limits::default()).is_ok(), "written file does not read");
    }
    let _ = mspdi::schedule_report(data, &mspdi::Options::default());
});
