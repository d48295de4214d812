//! Closed sets of words (statuses, categories, lanes): one macro gives each
//! its wire form, its stored form (the same word), a parser and the list of
//! values, so that the three can never drift apart.

/// Declares a `Copy` enum whose variants are written as the given words in
/// JSON, in the database and in query strings.
#[macro_export]
macro_rules! str_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $var:ident = $word:literal $(=> $label:literal)?),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $var),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$var => $word),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($word => Some($name::$var),)+
                    _ => None,
                }
            }

            /// How a page shows the value: `In progress` for `in_progress`,
            /// or the label given after `=>` where the word reads badly.
            pub fn label(self) -> std::borrow::Cow<'static, str> {
                match self {
                    $($name::$var => $crate::str_enum!(@label $word $(, $label)?)),+
                }
            }

            /// The accepted words, for error messages.
            pub fn words() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl $crate::enums::Labelled for $name {
            fn label_text(&self) -> std::borrow::Cow<'static, str> {
                self.label()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
    (@label $word:literal) => {
        std::borrow::Cow::Owned($crate::enums::humanize($word))
    };
    (@label $word:literal, $label:literal) => {
        std::borrow::Cow::Borrowed($label)
    };
}

/// Anything a page shows by its label: the closed word sets, and stored
/// words held as text.
pub trait Labelled {
    fn label_text(&self) -> std::borrow::Cow<'static, str>;
}

impl Labelled for str {
    fn label_text(&self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Owned(humanize(self))
    }
}

impl Labelled for String {
    fn label_text(&self) -> std::borrow::Cow<'static, str> {
        self.as_str().label_text()
    }
}

impl<T: Labelled + ?Sized> Labelled for &T {
    fn label_text(&self) -> std::borrow::Cow<'static, str> {
        (**self).label_text()
    }
}

/// A stored word as people read it: `in_progress` → `In progress`.
pub fn humanize(word: &str) -> String {
    let spaced = word.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    str_enum! {
        /// A test set.
        pub enum Colour { Red = "red", DarkBlue = "dark_blue", Grey = "grey" => "Grey (neutral)" }
    }

    #[test]
    fn labels_read_as_words() {
        assert_eq!(Colour::DarkBlue.label(), "Dark blue");
        assert_eq!(Colour::Grey.label(), "Grey (neutral)");
        assert_eq!(super::humanize(""), "");
    }

    #[test]
    fn words_round_trip() {
        for c in Colour::ALL {
            assert_eq!(Colour::parse(c.as_str()), Some(*c));
            assert_eq!(serde_json::to_string(c).unwrap(), format!("\"{c}\""));
        }
        assert_eq!(Colour::parse("Red"), None);
        assert_eq!(Colour::words(), "red, dark_blue, grey");
        assert!(Colour::Red < Colour::DarkBlue);
    }
}
