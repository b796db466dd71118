//! The Compute API: instances, power operations and templates.

use reqwest::Method;
use serde_json::json;

use super::client::{Api, Auth, Client};
use super::error::{ApiError, ErrorKind, Operation};
use super::model::{Instance, PowerAction, Template};

impl Client {
    /// `GET /api/compute/v1/instances`: every machine of the caller.
    pub async fn list_instances(&self) -> Result<Vec<Instance>, ApiError> {
        let op = Operation::ListInstances;
        let url = self.url(Api::Compute, &["instances"]);
        let answer = self
            .send(op, Method::GET, url, None, Auth::Required)
            .await?;
        Client::decode(op, &answer)
    }

    /// `GET /api/compute/v1/instances/{id}`.
    pub async fn get_instance(&self, id: &str) -> Result<Instance, ApiError> {
        let op = Operation::GetInstance;
        let url = self.url(Api::Compute, &["instances", machine_id(op, id)?]);
        let answer = self
            .send(op, Method::GET, url, None, Auth::Required)
            .await?;
        Client::decode(op, &answer)
    }

    /// `POST /api/compute/v1/instances`: answers at once (201, or 200 from the SDK's
    /// servers) with the new machine, usually `PROVISIONING`. The body names the template
    /// and the network configuration in both spellings, the overview docs'
    /// (`template_id`, `config_id`) and the SDK's (`templateID`, `zone`), so that either
    /// generation of the service understands it. Never retried: after a network failure,
    /// re-list and look for it (see [`ApiError::outcome_unknown`]).
    pub async fn create_instance(
        &self,
        template_id: &str,
        config_id: &str,
        zone: Option<&str>,
    ) -> Result<Instance, ApiError> {
        let op = Operation::CreateInstance;
        let (template_id, config_id) = (template_id.trim(), config_id.trim());
        if template_id.is_empty() {
            return Err(ApiError::refused(
                op,
                "choose_template",
                "Choose a template for the new machine.",
            ));
        }
        if config_id.is_empty() {
            return Err(ApiError::refused(
                op,
                "choose_config",
                "Choose a network configuration for the new machine.",
            ));
        }
        let url = self.url(Api::Compute, &["instances"]);
        let mut body = json!({
            "template_id": template_id,
            "config_id": config_id,
            "templateID": template_id,
        });
        if let Some(zone) = zone.map(str::trim).filter(|z| !z.is_empty()) {
            body["zone"] = json!(zone);
        }
        let answer = self
            .send(op, Method::POST, url, Some(body), Auth::Required)
            .await?;
        Client::decode(op, &answer)
    }

    /// `DELETE /api/compute/v1/instances/{id}`.
    pub async fn delete_instance(&self, id: &str) -> Result<(), ApiError> {
        let op = Operation::DeleteInstance;
        let url = self.url(Api::Compute, &["instances", machine_id(op, id)?]);
        self.send(op, Method::DELETE, url, None, Auth::Required)
            .await
            .map(drop)
    }

    /// `POST /api/compute/v1/instances/{id}/{start|stop|restart|reset}`. Success means the
    /// operation *started*; read the machine again to see it finish. The answer's body
    /// is not relied on.
    pub async fn power(&self, id: &str, action: PowerAction) -> Result<(), ApiError> {
        let op = Operation::Power(action);
        let url = self.url(
            Api::Compute,
            &["instances", machine_id(op, id)?, action.path_segment()],
        );
        self.send(op, Method::POST, url, None, Auth::Required)
            .await
            .map(drop)
    }

    /// `GET /api/compute/v1/templates`. `None` when the server has no template list
    /// (older revisions answer 404): the caller then asks for a template id as text.
    pub async fn templates(&self) -> Result<Option<Vec<Template>>, ApiError> {
        let op = Operation::ListTemplates;
        let url = self.url(Api::Compute, &["templates"]);
        match self.send(op, Method::GET, url, None, Auth::Required).await {
            Ok(answer) => Client::decode(op, &answer).map(Some),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl Client {
    /// `GET /api/compute/v1/templates/{id}/zones` (SDK, May 2026): the zones a template's
    /// machines can run in. `None` when the server has no such list (the overview docs'
    /// revision answers 404: there the network configuration decides).
    pub async fn template_zones(&self, template_id: &str) -> Result<Option<Vec<String>>, ApiError> {
        let op = Operation::ListZones;
        let template_id = template_id.trim();
        if template_id.is_empty() {
            return Err(ApiError::refused(
                op,
                "choose_template_first",
                "Choose a template first.",
            ));
        }
        let url = self.url(Api::Compute, &["templates", template_id, "zones"]);
        match self.send(op, Method::GET, url, None, Auth::Required).await {
            Ok(answer) => {
                let zones: Vec<super::model::Named> = Client::decode(op, &answer)?;
                Ok(Some(zones.into_iter().filter_map(|z| z.0).collect()))
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn machine_id(op: Operation, id: &str) -> Result<&str, ApiError> {
    let id = id.trim();
    if id.is_empty() {
        return Err(ApiError::refused(
            op,
            "no_machine",
            "No machine was chosen.",
        ));
    }
    Ok(id)
}
