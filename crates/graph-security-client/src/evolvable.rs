//! The one definition of Graph's evolvable enums (see [`crate::enums`]): known members by their
//! wire names, `unknownFutureValue`, and any other name kept as sent. Paths are written in full,
//! so that the macro works wherever it is invoked.

/// Defines an evolvable enum: its known members with their wire names, `UnknownFutureValue`,
/// and `Other(String)` for names not known here.
macro_rules! evolvable_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// `unknownFutureValue`: a member added after this version of the enum, which Graph
            /// names only when asked with `Prefer: include-unknown-enum-members`.
            UnknownFutureValue,
            /// A member this crate does not know, kept as sent.
            Other(String),
        }

        impl $name {
            /// The members this crate knows, in the order Graph documents them.
            pub const KNOWN: &'static [$name] = &[$($name::$variant,)*];

            /// The name Graph uses for this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::UnknownFutureValue => "unknownFutureValue",
                    $name::Other(name) => name,
                }
            }

            /// The value for a name Graph sends. Names are compared exactly (Graph writes them
            /// in camel case); one this crate does not know becomes [`Self::Other`].
            pub fn from_wire(name: &str) -> Self {
                match name {
                    $($wire => $name::$variant,)*
                    "unknownFutureValue" => $name::UnknownFutureValue,
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Whether this is one of [`Self::KNOWN`].
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::UnknownFutureValue | $name::Other(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            /// Never fails: see [`Self::from_wire`].
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from_wire(s))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from_wire(&name))
            }
        }
    };
}

pub(crate) use evolvable_enum;
