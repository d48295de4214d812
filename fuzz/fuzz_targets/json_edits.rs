//! JSON bodies into the typed request structs the API parses: change
//! request edits, the decision-rights matrix, a sync agenda read back from
//! storage. Never a panic; what parses serialises and parses the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem_core::change::Edit;
use tandem_core::decision::Matrix;
use tandem_core::sync::Agenda;

fuzz_target!(|data: &[u8]| {
    if let Ok(edits) = serde_json::from_slice::<Vec<Edit>>(data) {
        let again: Vec<Edit> = serde_json::from_str(&serde_json::to_string(&edits).unwrap()).unwrap();
        assert_eq!(edits, again);
    }
    if let Ok(m) = serde_json::from_slice::<Matrix>(data) {
        let _ = m.checked();
    }
    let _ = serde_json::from_slice::<Agenda>(data);
});
