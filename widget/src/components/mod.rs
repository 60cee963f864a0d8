//! The widget's function components, one per file.

pub mod app;
pub mod comment_form;
pub mod comment_item;
pub mod comments;
pub mod like_button;
pub mod recent;
pub mod rewards;
pub mod status;
pub mod supporters;
