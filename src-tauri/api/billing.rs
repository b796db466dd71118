//! The Billing API: the plan's limits.

use reqwest::Method;

use super::client::{Api, Auth, Client};
use super::error::{ApiError, Operation};
use super::model::{LimitUsage, Quotas, RateLimits};

impl Client {
    /// `GET /api/billing/v1/quotas`: the plan's name and limits; see [`Quotas::max_instances`].
    pub async fn quotas(&self) -> Result<Quotas, ApiError> {
        let op = Operation::GetQuotas;
        let url = self.url(Api::Billing, &["quotas"]);
        let answer = self
            .send(op, Method::GET, url, None, Auth::Required)
            .await?;
        Client::decode(op, &answer)
    }

    /// `GET /api/billing/v1/limits`: the plan's request limits per service and feature.
    pub async fn rate_limits(&self) -> Result<RateLimits, ApiError> {
        let op = Operation::GetLimits;
        let url = self.url(Api::Billing, &["limits"]);
        let answer = self
            .send(op, Method::GET, url, None, Auth::Required)
            .await?;
        Client::decode(op, &answer)
    }

    /// `GET /api/billing/v1/limits/usage`: what is left of each limit in its window.
    pub async fn limit_usage(&self) -> Result<LimitUsage, ApiError> {
        let op = Operation::GetLimitUsage;
        let url = self.url(Api::Billing, &["limits", "usage"]);
        let answer = self
            .send(op, Method::GET, url, None, Auth::Required)
            .await?;
        Client::decode(op, &answer)
    }
}
