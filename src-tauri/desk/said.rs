//! What the history says of each way an entry can end without the machine being seen to
//! get there: the account was left, the sign-in lost, the person stopped it, no answer
//! came, another action replaced it; and what a failure says.

use crate::failure::Failure;
use crate::history::{History, Said};
use crate::text::Text;

/// Said of entries still waiting when the person switched to another account.
pub(super) fn switched_away() -> Said {
    Said::text(
        Text::new("history.switched_away"),
        "You switched to another account before ThreatWinds showed how this ended.",
    )
}

/// Said of entries still waiting for their turn when the person switched account.
pub(super) fn switched_away_before_sent() -> Said {
    Said::text(
        Text::new("history.switched_away_before_sent"),
        "Not sent: you switched to another account first.",
    )
}

/// Said of entries still waiting when the sign-in was lost.
pub(super) fn sign_in_lost() -> Said {
    Said::text(
        Text::new("history.sign_in_lost"),
        "The sign-in ended before ThreatWinds showed how this ended.",
    )
}

/// Said of entries still waiting at sign-out.
pub(super) fn signed_out() -> Said {
    Said::text(
        Text::new("history.signed_out"),
        "You signed out before ThreatWinds showed how this ended.",
    )
}

/// Said of entries still waiting for their turn at sign-out.
pub(super) fn signed_out_before_sent() -> Said {
    Said::text(
        Text::new("history.signed_out_before_sent"),
        "Not sent: you signed out first.",
    )
}

/// Said of entries still waiting for their turn when the sign-in was lost.
pub(super) fn sign_in_lost_before_sent() -> Said {
    Said::text(
        Text::new("history.sign_in_lost_before_sent"),
        "Not sent: the sign-in ended first.",
    )
}

/// Said of entries whose turn never came because the person stopped them.
pub(super) fn stopped() -> Said {
    Said::text(
        Text::new("history.stopped"),
        "Not sent: you stopped the rest of this action.",
    )
}

/// Said of an action sent but never answered: it may have happened.
pub(super) fn no_answer() -> Said {
    Said::text(
        Text::new("history.no_answer"),
        "ThreatWinds did not answer in time, so it is not known whether this happened.",
    )
}

/// Said of a create that was never answered, while its machine is looked for.
pub(super) fn create_unanswered() -> Said {
    Said::text(
        Text::new("history.create_unanswered"),
        "ThreatWinds did not answer in time, so the machine may have been made. Compute Desk is looking for it in the list.",
    )
}

/// Said of a create that was never answered and whose machine never appeared.
pub(super) fn create_not_seen() -> Said {
    Said::text(
        Text::new("history.create_not_seen"),
        "ThreatWinds did not answer, and no new machine appeared in the list within 2 minutes: most likely it was not made.",
    )
}

/// Said of an action replaced by another before ThreatWinds showed how it ended.
pub(super) fn replaced() -> Said {
    Said::text(
        Text::new("history.replaced"),
        "Another action on this machine was asked for before ThreatWinds showed how this ended.",
    )
}

/// The sign-in was lost: what was sent will not be seen to end, what waited for its turn
/// will not be sent.
pub(super) fn settle_sign_in_lost(history: &mut History) {
    history.settle_all_open(sign_in_lost(), sign_in_lost_before_sent());
}

/// What a failure says, kept with its entry.
pub(super) fn said_of(failure: &Failure) -> Said {
    Said {
        message: Some(failure.message.to_string()),
        op: failure.op.map(str::to_owned),
        text: Some((*failure.text).clone()),
        server_message: failure.server_message.clone(),
        error_id: failure.error_id.clone(),
    }
}
