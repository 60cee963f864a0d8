//! The worker's side of the page object: one typed call per command.

use super::protocol::Command;
use crate::error::ApiError;
use crate::page_ref::PageRef;
use kudos_core::ErrorCode;
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{ErrorBody, LikeReply, PageView};
use serde::de::DeserializeOwned;
use worker::{Env, Method, Request, RequestInit, Stub};

pub struct PageClient {
    stub: Stub,
    page: PageRef,
}

impl PageClient {
    pub fn new(env: &Env, page: PageRef) -> Result<Self, ApiError> {
        let stub = env.durable_object(crate::bindings::PAGES)?.get_by_name(&page.object_name())?;
        Ok(PageClient { stub, page })
    }

    pub async fn view(&self) -> Result<PageView, ApiError> {
        self.call(&Command::View { page: self.page.clone() }).await
    }

    pub async fn set_like(&self, visitor: VisitorKey, liked: bool) -> Result<LikeReply, ApiError> {
        self.call(&Command::SetLike { page: self.page.clone(), visitor, liked }).await
    }

    async fn call<T: DeserializeOwned>(&self, command: &Command) -> Result<T, ApiError> {
        let body = serde_json::to_string(command).map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_body(Some(body.into()));
        // The host is never resolved: a stub routes every request to its object.
        let req = Request::new_with_init("https://page-object/", &init)?;
        let mut resp = self.stub.fetch_with_request(req).await?;
        let text = resp.text().await?;
        if resp.status_code() == 200 {
            return serde_json::from_str(&text).map_err(|e| ApiError::Internal(e.to_string()));
        }
        match serde_json::from_str::<ErrorBody>(&text) {
            Ok(ErrorBody { error }) if error.code != ErrorCode::Internal => {
                Err(ApiError::Rejected { code: error.code, message: error.message })
            }
            _ => Err(ApiError::Internal(format!("page object answered {}", resp.status_code()))),
        }
    }
}
