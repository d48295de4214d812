//! Arbitrary bytes into the Trello board reader: never a panic, never
//! unbounded nesting; what reads stays within the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem_formats::trello;

fuzz_target!(|data: &[u8]| {
    let limits = trello::Limits { max_lists: 50, max_cards: 200, max_check_items: 500 };
    if let Ok(board) = trello::read(data, &limits) {
        assert!(board.lists.len() <= limits.max_lists && board.cards.len() <= limits.max_cards);
        for c in &board.cards {
            let _ = c.due_date();
        }
    }
});
