//! The demo workspace: one user per role, created once.
