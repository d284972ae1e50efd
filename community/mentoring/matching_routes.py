"""The coordinator's matching pages (the cohort and the run, a proposal with its pairs,
reasons, pins and forbids, its confirmation) and a proposed pair's own page (the mentor
accepts or declines; both sides see why they were matched). Thin: the rules live in
`proposals`."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from community.core.errors import NotFound, ServiceError
from community.core.forms import flash_service_error, run_action
from community.extensions import db
from community.mentoring import applications, bp, proposals
from community.mentoring.access import coordinated_programme, pair_for
from community.mentoring.fit import PART_LABELS, WEIGHTS
from community.mentoring.proposal_forms import ConfirmForm, DeclineForm, RunForm


@bp.get("/mentoring/<int:programme_id>/matching")
@login_required
def matching(programme_id: int):
    """The coordinator's matching page: cohort counts, the run form, earlier proposals."""
    programme = coordinated_programme(current_user, programme_id)
    runs = proposals.proposals_of(programme)
    return render_template(
        "mentoring/proposal_matching.html",
        programme=programme,
        counts=proposals.cohort_counts(programme),
        runs=runs,
        form=RunForm(formdata=None, min_score=Decimal(f"{runs[0].min_score:g}") if runs else None),
    )


@bp.post("/mentoring/<int:programme_id>/matching")
@login_required
def run_matching(programme_id: int):
    """Run matching with the minimum fit given; shows the new proposal."""
    programme = coordinated_programme(current_user, programme_id)
    form = RunForm()
    back = url_for("mentoring.matching", programme_id=programme.id)
    return _run(form, programme.id, [], [], back)


def _run(form: RunForm, programme_id: int, pins: list, forbids: list, back: str):
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(" ".join(map(str, form.min_score.errors)) or _("Check the minimum fit."), "error")
        return redirect(back)
    try:
        proposal = proposals.run_proposal(
            current_user,
            programme_id,
            min_score=form.min_score.data,
            pins=pins,
            forbids=forbids,
        )
    except NotFound:
        raise
    except ServiceError as error:
        flash_service_error(error)
        return redirect(back)
    db.session.commit()
    proposed = ngettext(
        "Matching proposes %(num)d pair.", "Matching proposes %(num)d pairs.", len(proposal.pairs)
    )
    left = ngettext(
        "%(num)d mentee is left without a mentor.",
        "%(num)d mentees are left without a mentor.",
        len(proposal.unmatched),
    )
    flash(f"{proposed} {left}" if proposal.unmatched else proposed, "success")
    return redirect(url_for("mentoring.proposal", proposal_id=proposal.id))


@bp.get("/mentoring/proposals/<int:proposal_id>")
@login_required
def proposal(proposal_id: int):
    """A proposal: each pair with its score, parts and reasons; the unmatched with why."""
    shown = proposals.proposal_for(current_user, proposal_id)
    ids = [p.mentor_id for p in shown.pairs] + [p.mentee_id for p in shown.pairs]
    ids += [u["mentee_id"] for u in shown.unmatched]
    ids += [i for pair in shown.pins + shown.forbids for i in pair]
    form = RunForm(formdata=None, min_score=shown.min_score)
    return render_template(
        "mentoring/proposal.html",
        proposal=shown,
        programme=shown.programme,
        names=applications.names_of(ids),
        weights=WEIGHTS,
        labels=PART_LABELS,
        form=form,
        confirm_form=ConfirmForm(formdata=None),
        latest=proposals.is_latest(shown),
        mentors=proposals.mentor_choices(shown.programme) if shown.unmatched else [],
    )


def _pair_value(value: str | None) -> list[int] | None:
    try:
        mentor_id, mentee_id = (int(part) for part in (value or "").split("-"))
    except ValueError:
        return None
    return [mentor_id, mentee_id]


@bp.post("/mentoring/proposals/<int:proposal_id>/rerun")
@login_required
def rerun(proposal_id: int):
    """Run again with the proposal's pins and forbids, plus or minus the one named."""
    shown = proposals.proposal_for(current_user, proposal_id)
    form = RunForm()
    pins = [list(pin) for pin in shown.pins]
    forbids = [list(pair) for pair in shown.forbids]
    for field, into, add in (
        (form.pin, pins, True),
        (form.forbid, forbids, True),
        (form.unpin, pins, False),
        (form.unforbid, forbids, False),
    ):
        pair = _pair_value(field.data)
        if pair is not None and add and pair not in into:
            into.append(pair)
        elif pair is not None and not add and pair in into:
            into.remove(pair)
    pins = [pin for pin in pins if pin not in forbids]
    back = url_for("mentoring.proposal", proposal_id=shown.id)
    return _run(form, shown.programme_id, pins, forbids, back)


@bp.post("/mentoring/proposals/<int:proposal_id>/confirm")
@login_required
def confirm_proposal(proposal_id: int):
    """Confirm and publish the proposal's pairs (only the latest draft)."""
    return run_action(
        ConfirmForm(),
        proposals.confirm,
        current_user,
        proposal_id,
        success=lambda pairs: ngettext(
            "%(num)d pair is published and both sides are told.",
            "%(num)d pairs are published and both sides are told.",
            len(pairs),
        ),
        back=url_for("mentoring.proposal", proposal_id=proposal_id),
    )


@bp.get("/mentoring/proposed/<int:pair_id>")
@login_required
def proposed_pair(pair_id: int):
    """A pair seen by its mentor or mentee: who, why they were matched, and for a mentor
    asked to accept, the accept and decline buttons."""
    pair = pair_for(current_user, pair_id)
    return render_template(
        "mentoring/proposal_pair.html",
        pair=pair,
        view=proposals.pair_view(current_user, pair),
        weights=WEIGHTS,
        labels=PART_LABELS,
        accept_form=ConfirmForm(formdata=None),
        decline_form=DeclineForm(formdata=None),
    )


@bp.post("/mentoring/proposed/<int:pair_id>/accept")
@login_required
def accept_pair(pair_id: int):
    """The proposed mentor accepts their mentee: the pair starts."""
    return run_action(
        ConfirmForm(),
        proposals.accept_pair,
        current_user,
        pair_id,
        success=_("You are now their mentor. Say hello in chat."),
        back=url_for("mentoring.proposed_pair", pair_id=pair_id),
    )


@bp.post("/mentoring/proposed/<int:pair_id>/decline")
@login_required
def decline_pair(pair_id: int):
    """The proposed mentor declines, with a reason for the coordinator."""
    form = DeclineForm()
    return run_action(
        form,
        lambda: proposals.decline_pair(current_user, pair_id, form.reason.data),
        success=_("Thank you. The coordinator is told and will find another mentor."),
        back=url_for("mentoring.proposed_pair", pair_id=pair_id),
        invalid=lambda f: " ".join(map(str, f.reason.errors)) or _("Tell the coordinator why."),
    )
