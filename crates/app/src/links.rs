//! The page that shows an object, by the word its kind is stored as: one
//! answer for notifications, comments' mentions and search results.

use tandem_core::Id;

/// The page of object `id` of kind `word`, in product or project `scope`
/// (the object itself for products and projects). Kinds without a page
/// of their own land on the list that shows them, at their row.
pub fn page_of(word: &str, id: Id, scope: Id) -> String {
    match word {
        "product" => format!("/products/{id}"),
        "feature" => format!("/features/{id}"),
        "feedback" => format!("/products/{scope}/feedback#feedback-{id}"),
        "release" => format!("/products/{scope}/releases#release-{id}"),
        "objective" => format!("/products/{scope}/okrs#objective-{id}"),
        "key_result" => format!("/products/{scope}/okrs"),
        "competitor" => format!("/products/{scope}/competitors"),
        "metric" => format!("/products/{scope}/metrics"),
        "project" => format!("/projects/{id}"),
        "task" => format!("/tasks/{id}"),
        "risk" => format!("/projects/{scope}/risks#risk-{id}"),
        "defect" => format!("/projects/{scope}/defects#defect-{id}"),
        "change_request" => format!("/projects/{scope}/changes#cr-{id}"),
        _ => "/".to_owned(),
    }
}

/// The decision log at the decisions on one subject.
pub fn decisions_on(workspace: Id, subject_type: &str, subject_id: Id) -> String {
    format!("/w/{workspace}/decisions?subject_type={subject_type}&subject_id={subject_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_of_objects() {
        assert_eq!(page_of("task", Id(7), Id(2)), "/tasks/7");
        assert_eq!(page_of("risk", Id(7), Id(2)), "/projects/2/risks#risk-7");
        assert_eq!(page_of("feedback", Id(9), Id(1)), "/products/1/feedback#feedback-9");
        assert_eq!(page_of("product", Id(1), Id(1)), "/products/1");
        assert_eq!(decisions_on(Id(3), "release", Id(4)), "/w/3/decisions?subject_type=release&subject_id=4");
    }
}
