//! What the client was asked to do: each operation's name in the language catalogs and
//! its English words for the command line.

use super::model::PowerAction;

/// What the client was asked to do; it shapes the sentence a person reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    Configure,
    ListInstances,
    GetInstance,
    CreateInstance,
    DeleteInstance,
    Power(PowerAction),
    ListTemplates,
    ListZones,
    GetQuotas,
    GetLimits,
    GetLimitUsage,
    StartSignIn,
    VerifyCode,
    GetSession,
    ExtendSession,
    CloseSession,
    CheckKeyPair,
}

impl Operation {
    /// The operation's key in the language catalogs (`op.<key>`); `None` for checks made
    /// before any request, whose sentences stand alone.
    pub fn key(self) -> Option<&'static str> {
        Some(match self {
            Operation::Configure => return None,
            Operation::ListInstances => "list_instances",
            Operation::GetInstance => "get_instance",
            Operation::CreateInstance => "create_instance",
            Operation::DeleteInstance => "delete_instance",
            Operation::Power(PowerAction::Start) => "start",
            Operation::Power(PowerAction::Stop) => "stop",
            Operation::Power(PowerAction::Restart) => "restart",
            Operation::Power(PowerAction::Reset) => "reset",
            Operation::ListTemplates => "list_templates",
            Operation::ListZones => "list_zones",
            Operation::GetQuotas => "get_quotas",
            Operation::GetLimits => "get_limits",
            Operation::GetLimitUsage => "get_limit_usage",
            Operation::StartSignIn => "start_sign_in",
            Operation::VerifyCode => "verify_code",
            Operation::GetSession => "get_session",
            Operation::ExtendSession => "extend_session",
            Operation::CloseSession => "close_session",
            Operation::CheckKeyPair => "check_key_pair",
        })
    }

    /// The English words of the command line, the same as the English catalog's.
    pub(super) fn failed(self) -> Option<&'static str> {
        Some(match self.key()? {
            "list_instances" => "Could not list your machines",
            "get_instance" => "Could not load the machine",
            "create_instance" => "Could not create the machine",
            "delete_instance" => "Could not delete the machine",
            "start" => "Could not start the machine",
            "stop" => "Could not shut down the machine",
            "restart" => "Could not restart the machine",
            "reset" => "Could not force-reset the machine",
            "list_templates" => "Could not load the machine templates",
            "list_zones" => "Could not load where the machine can run",
            "get_quotas" => "Could not load your plan's limits",
            "get_limits" => "Could not load your plan's request limits",
            "get_limit_usage" => "Could not load what is left of your plan's request limits",
            "start_sign_in" => "Could not send the sign-in code",
            "verify_code" => "Could not check the sign-in code",
            "get_session" => "Could not load your account",
            "extend_session" => "Could not keep you signed in",
            "close_session" => "Could not sign out on the server",
            _ => "Could not check the API key",
        })
    }

    pub(super) fn is_about_one_machine(self) -> bool {
        matches!(
            self,
            Operation::GetInstance | Operation::DeleteInstance | Operation::Power(_)
        )
    }
}
