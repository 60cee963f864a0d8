//! The widget's function components, one per file.

pub mod app;
pub mod like_button;
pub mod status;
