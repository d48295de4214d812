//! The demo's rituals: the finished sprint's retrospective (cards, dots,
//! two actions), its demo notes and the product side's verdict on an item.

use std::collections::HashMap;

use tandem_core::agile::{Sprint, SprintStatus};
use tandem_core::rituals::{ActionKind, RetroColumn, Verdict};
use tandem_core::{Id, Role};

use super::project::state_at;
use crate::App;
use crate::access::InProject;
use crate::error::AppError;
use crate::ops::agile::{self, UpdateSprint};
use crate::ops::rituals::retro::{self, AddCard, CardAction};
use crate::ops::rituals::review::{self, PutAcceptance, PutDemoNotes};

pub(super) async fn rituals(
    state: &App,
    a: &InProject,
    users: &HashMap<Role, Id>,
    (s1, s2): (&Sprint, &Sprint),
) -> Result<(), AppError> {
    // Sprint 1 ran over its two weeks; sprint 2 started on its Monday.
    let status = |s: &Sprint, day, hour, to| {
        let id = s.id;
        async move {
            let cur = state.store.sprint(id).await?;
            let req = UpdateSprint { status: Some(to), ..UpdateSprint::default() };
            agile::update_sprint(&state_at(state, day, hour), a, id, cur.version, req).await
        }
    };
    status(s1, s1.start, 9, SprintStatus::Active).await?;
    let s1 = &status(s1, s1.finish, 17, SprintStatus::Closed).await?;
    status(s2, s2.start, 9, SprintStatus::Active).await?;
    let at = state_at(state, s1.finish, 15);
    let as_role = |role: Role| InProject { user_id: users.get(&role).copied().unwrap_or(a.user_id), role, ..*a };
    let (dev, pm, pdm) = (as_role(Role::Contributor), as_role(Role::ProjectManager), as_role(Role::ProductManager));
    let mut cards = Vec::new();
    for (who, column, text, anonymous) in [
        (&dev, RetroColumn::WentWell, "Pairing on the cart service got it done two days early", false),
        (&pm, RetroColumn::WentWell, "The payment provider answered within a day", false),
        (&dev, RetroColumn::ToImprove, "The payment sandbox was down for most of Wednesday", true),
        (&dev, RetroColumn::ToImprove, "Stories came into the sprint without acceptance criteria", true),
        (&pm, RetroColumn::Ideas, "Show the cart to support at every sprint review", false),
    ] {
        let req = AddCard { column, text: text.into(), anonymous };
        cards.push(retro::add(&at, who, s1, req).await?);
    }
    for (who, card, dots) in [(&dev, 2, 2), (&dev, 3, 2), (&pm, 3, 3), (&pm, 0, 1), (&dev, 4, 1)] {
        for _ in 0..dots {
            retro::vote(&at, who, cards[card].id, true).await?;
        }
    }
    let fu = CardAction {
        kind: ActionKind::FollowUp,
        title: Some("Ask the provider for a sandbox status page".into()),
        owner_id: Some(dev.user_id),
        due: None,
    };
    retro::action(&at, &pm, &cards[2], fu).await?;
    let task = CardAction {
        kind: ActionKind::Task,
        title: Some("Add acceptance criteria to the story template".into()),
        owner_id: None,
        due: None,
    };
    retro::action(&at, &pm, &cards[3], task).await?;
    let notes = "Showed the cart and payment services end to end on staging.\n\n- Support asked for clearer card-decline messages.";
    review::put_demo_notes(&at, &pm, s1, PutDemoNotes { demo_notes: notes.into(), version: 0 }).await?;
    let r = review::review(state, &pdm, s1).await?;
    if let Some(item) = r.items.iter().find(|i| i.outcome == tandem_core::rituals::Outcome::Completed) {
        let req = PutAcceptance { verdict: Some(Verdict::Accepted), note: Some("Seen in the demo".into()) };
        review::put_acceptance(state, &pdm, s1, item.task_id, req).await?;
    }
    Ok(())
}
