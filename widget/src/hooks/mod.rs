//! Custom hooks: the effects that connect the widget's state to the API.

pub mod use_page;
pub mod use_reward_return;
