//! Arbitrary bytes, in an encoding picked by the first byte, into the
//! Trello board reader: never a panic, never unbounded nesting; what reads
//! stays within the limits and holds no NUL or over-long name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem_formats::text::{self, Encoding, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use tandem_formats::trello;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let encoding = Encoding::ALL[usize::from(pick) % Encoding::ALL.len()];
    let Ok(json) = text::decode(bytes, encoding) else { return };
    let limits = trello::Limits { max_lists: 50, max_cards: 200, max_check_items: 500 };
    match trello::read(&json, &limits) {
        Ok(board) => {
            assert!(board.lists.len() <= limits.max_lists && board.cards.len() <= limits.max_cards);
            let short = |s: &str| s.chars().count() <= MAX_NAME_CHARS && !s.contains('\0');
            assert!(short(&board.name));
            for c in &board.cards {
                assert!(short(&c.name) && c.desc.chars().count() <= MAX_TEXT_CHARS && !c.desc.contains('\0'));
                let _ = c.due_date();
            }
        }
        Err(r) => assert!(!r.problems.is_empty()),
    }
});
