//! Closed sets of words (statuses, categories, lanes): one macro gives each
//! its wire form, its stored form (the same word), a parser and the list of
//! values, so that the three can never drift apart.

/// Declares a `Copy` enum whose variants are written as the given words in
/// JSON, in the database and in query strings.
#[macro_export]
macro_rules! str_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $var:ident = $word:literal),+ $(,)? }) => {
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

            /// The accepted words, for error messages.
            pub fn words() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    str_enum! {
        /// A test set.
        pub enum Colour { Red = "red", DarkBlue = "dark_blue" }
    }

    #[test]
    fn words_round_trip() {
        for c in Colour::ALL {
            assert_eq!(Colour::parse(c.as_str()), Some(*c));
            assert_eq!(serde_json::to_string(c).unwrap(), format!("\"{c}\""));
        }
        assert_eq!(Colour::parse("Red"), None);
        assert_eq!(Colour::words(), "red, dark_blue");
        assert!(Colour::Red < Colour::DarkBlue);
    }
}
