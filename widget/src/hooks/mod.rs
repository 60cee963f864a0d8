//! Where the widget acts: the hooks that load the page and save likes, and the actions
//! (`actions.rs`) that components call from their callbacks. Only code here talks to the
//! API or writes the reader's localStorage; components read state and emit.

pub mod actions;
pub mod use_likes;
pub mod use_live;
pub mod use_page;
pub mod use_recent;
pub mod use_reward_return;
