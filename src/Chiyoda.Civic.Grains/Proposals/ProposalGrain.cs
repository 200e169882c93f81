using System.Globalization;
using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Grains.Proposals;

/// <summary>
/// One proposal: the status machine (draft → submitted → in review at stage N → selected →
/// shortlisted, with returned / declined / withdrawn on the way), its review (scores, private notes,
/// decisions) and its history. Every rule is checked before anything is stored.
/// </summary>
[GrainType("proposal")]
public sealed class ProposalGrain(
    [PersistentState("proposal", StorageNames.GrainState)] IPersistentState<ProposalState> state,
    TimeProvider time) : Grain, IProposalGrain
{
    public const int MaxNotes = 200;

    /// <summary>All notes of a proposal together (≈360 KB stored at worst): keeps the grain far below the entity limit.</summary>
    public const int MaxNoteCharacters = 60_000;
    public const int MaxReasonLength = 1000;

    private string _roundId = "";
    private string _proposalId = "";

    private ProposalState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        _roundId = colon > 0 ? key[..colon] : key;
        _proposalId = colon > 0 ? key[(colon + 1)..] : "";
        if (S.Exists && (S.PendingAudit.Count > 0 || S.PendingNotices.Count > 0 || S.IndexPending))
        {
            await FlushAsync();
        }
    }

    public static string Key(string roundId, string proposalId) => $"{roundId}:{proposalId}";

    async Task<CommandResult<ProposalView>> IProposalGrain.CreateAsync(Actor author, ProposalContent content)
    {
        if (!RoundValidation.IsValidRoundId(_roundId) || !ProposalValidation.IsValidProposalId(_proposalId))
        {
            return Refuse(ProposalErrorCodes.InvalidProposalId, "Proposal ids are 1-63 lower-case letters, digits and hyphens.");
        }

        content = ProposalValidation.Normalised(content);
        if (S.Exists)
        {
            // A retried creation (lost response) returns the draft; anything else under this id is refused.
            return S.AuthorSub == author.Sub && S.Content == content
                ? CommandResult<ProposalView>.Done(View())
                : Refuse(ProposalErrorCodes.ProposalExists, "Another proposal already has this id.");
        }

        var (round, config, refusal) = await ContextAsync();
        if (refusal is not null)
        {
            return refusal;
        }

        if (round!.Definition.Schedule.PhaseAt(time.GetUtcNow()) != RoundPhase.CallForProposals)
        {
            return Refuse(ProposalErrorCodes.CallClosed, "The call for proposals is not open.");
        }

        var errors = ProposalValidation.Validate(content, config.Setup, forSubmission: false);
        if (errors.Count > 0)
        {
            return Refuse(ProposalErrorCodes.InvalidProposal, "The proposal is not valid.", errors);
        }

        var now = time.GetUtcNow();
        var reserved = await GrainFactory.GetGrain<IProposalIndexGrain>(_roundId)
            .ReserveAsync(_proposalId, author.Sub, round.Definition.Rules.MaxProposalsPerProposer, now);
        if (reserved is not null)
        {
            return reserved == ProposalErrorCodes.ProposalLimit
                ? Refuse(reserved, $"You already have {round.Definition.Rules.MaxProposalsPerProposer} proposals in this round, the most allowed (drafts and withdrawn proposals count: withdrawing does not free a place).")
                : Refuse(reserved, "This round takes no more proposals.");
        }

        S.Exists = true;
        S.Content = content;
        S.AuthorSub = author.Sub;
        S.AuthorName = author.Name;
        S.Status = ProposalStatus.Draft;
        S.CreatedAt = now;
        Record(ProposalEventKind.Created, null, null, null, config, notify: false);
        return await SaveAsync();
    }

    async Task<CommandResult<ProposalView>> IProposalGrain.EnterFromPaperAsync(Actor staff, ProposalIntake intake, ProposalContent content)
    {
        if (!RoundValidation.IsValidRoundId(_roundId) || !ProposalValidation.IsValidProposalId(_proposalId))
        {
            return Refuse(ProposalErrorCodes.InvalidProposalId, "Proposal ids are 1-63 lower-case letters, digits and hyphens.");
        }

        if (ProposalStatusMachine.PaperEntryRefusal(staff) is { } notStaff)
        {
            return Refuse(notStaff);
        }

        content = ProposalValidation.Normalised(content);
        intake = (intake with { ProposerName = intake.ProposerName?.Trim() ?? "", ProposerContact = intake.ProposerContact?.Trim() ?? "", Channel = intake.Channel?.Trim() ?? "" }).AsTyped();
        if (S.Exists)
        {
            return S.Intake?.AsTyped() == intake && S.Content == content
                ? CommandResult<ProposalView>.Done(View())
                : Refuse(ProposalErrorCodes.ProposalExists, "Another proposal already has this id.");
        }

        var (round, config, refusal) = await ContextAsync();
        if (refusal is not null)
        {
            return refusal;
        }

        var now = time.GetUtcNow();
        var schedule = round!.Definition.Schedule;
        if (now < schedule.CallOpens || now >= schedule.VotingOpens)
        {
            return Refuse(ProposalErrorCodes.CallClosed, "Proposals received on paper are entered from the opening of the call until voting opens.");
        }

        var errors = new List<ValidationError>();
        if (intake.Channel is not (ProposalIntake.Paper or ProposalIntake.Mail))
        {
            errors.Add(new("intake.channel", ProposalErrorCodes.Required, "The channel is paper or mail."));
        }

        if (intake.ProposerName.Length is 0 or > ProposalIntake.NameMax)
        {
            errors.Add(new("intake.proposerName", intake.ProposerName.Length == 0 ? ProposalErrorCodes.Required : ProposalErrorCodes.TooLong, $"The proposer's name, 1 to {ProposalIntake.NameMax} characters."));
        }

        if (intake.ProposerContact.Length is 0 or > ProposalIntake.ContactMax)
        {
            errors.Add(new("intake.proposerContact", intake.ProposerContact.Length == 0 ? ProposalErrorCodes.Required : ProposalErrorCodes.TooLong, $"How to reach the proposer, 1 to {ProposalIntake.ContactMax} characters."));
        }

        var firstDay = DateOnly.FromDateTime(WardClock.ToWardTime(schedule.CallOpens).DateTime);
        var lastDay = DateOnly.FromDateTime(WardClock.ToWardTime(schedule.CallCloses.AddTicks(-1)).DateTime);
        if (intake.ReceivedOn < firstDay || intake.ReceivedOn > lastDay || intake.ReceivedOn > WardClock.Today(time))
        {
            errors.Add(new("intake.receivedOn", "out-of-range", $"Received while the call was open ({firstDay:yyyy-MM-dd} to {lastDay:yyyy-MM-dd}) and not after today."));
        }

        if (errors.Count > 0)
        {
            return Refuse(ProposalErrorCodes.InvalidIntake, "The proposal's receipt is not valid.", errors);
        }

        var contentErrors = ProposalValidation.Validate(content, config.Setup, forSubmission: true);
        if (contentErrors.Count > 0)
        {
            return Refuse(ProposalErrorCodes.InvalidProposal, "The proposal is not complete.", contentErrors);
        }

        // A paper proposer has no account: they are one proposer by name and contact, for the per-proposer limit.
        var authorSub = PaperAuthorSub(intake);
        var reserved = await GrainFactory.GetGrain<IProposalIndexGrain>(_roundId)
            .ReserveAsync(_proposalId, authorSub, round.Definition.Rules.MaxProposalsPerProposer, now);
        if (reserved is not null)
        {
            return reserved == ProposalErrorCodes.ProposalLimit
                ? Refuse(reserved, $"This proposer already has {round.Definition.Rules.MaxProposalsPerProposer} proposals in this round, the most allowed.")
                : Refuse(reserved, "This round takes no more proposals.");
        }

        S.Exists = true;
        S.Content = content;
        S.AuthorSub = authorSub;
        S.AuthorName = intake.ProposerName;
        S.Intake = intake with { EnteredBySub = staff.Sub, EnteredByName = staff.Name, EnteredAt = now };
        S.CreatedAt = now;
        S.Status = ProposalStatus.Submitted;
        S.Stage = 1;
        Record(ProposalEventKind.Created, null, null, null, config, notify: false);
        Record(ProposalEventKind.Submitted, 1, null, null, config);
        Audit(staff, "proposal.entered-from-paper", null,
            $"{intake.Channel}, received {intake.ReceivedOn:yyyy-MM-dd}, proposer {intake.ProposerName}: {content.Title}");
        return await SaveAsync();
    }

    /// <summary>"paper:" and 16 hex digits of SHA-256 over the proposer's name and contact as entered (whitespace and width folded).</summary>
    public static string PaperAuthorSub(ProposalIntake intake)
    {
        static string Fold(string s) => string.Concat(s.Normalize(System.Text.NormalizationForm.FormKC).Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant();
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Fold(intake.ProposerName) + "\n" + Fold(intake.ProposerContact)));
        return "paper:" + Convert.ToHexString(digest, 0, 8).ToLowerInvariant();
    }

    async Task<CommandResult<ProposalView>> IProposalGrain.UpdateAsync(Actor author, ProposalContent content)
    {
        if (AuthorRefusal(author) is { } refused)
        {
            return refused;
        }

        // Refused before the round is read: the round reads selected proposals while it takes the
        // shortlist, so a frozen proposal must not wait on the round at the same time.
        if (S.Status is ProposalStatus.Selected or ProposalStatus.Shortlisted)
        {
            return Refuse(ProposalErrorCodes.ProposalFrozen, "This proposal is frozen for the vote.");
        }

        var (round, config, refusal) = await ContextAsync();
        if (refusal is not null)
        {
            return refusal;
        }

        if (EditRefusal(round!) is { } notEditable)
        {
            return notEditable;
        }

        content = ProposalValidation.Normalised(content);
        var errors = ProposalValidation.Validate(content, config.Setup, forSubmission: S.Status != ProposalStatus.Draft);
        if (errors.Count > 0)
        {
            return Refuse(ProposalErrorCodes.InvalidProposal, "The proposal is not valid.", errors);
        }

        if (S.Content == content)
        {
            return CommandResult<ProposalView>.Done(View());
        }

        await FlushIfPendingAsync();
        S.Content = content;
        return await SaveAsync();
    }

    async Task<CommandResult<ProposalView>> IProposalGrain.SubmitAsync(Actor author)
    {
        if (AuthorRefusal(author) is { } refused)
        {
            return refused;
        }

        if (!ProposalStatusMachine.Submits(S.Status))
        {
            // Already submitted (a retry), or past the point where submitting means anything.
            return S.Status is ProposalStatus.Withdrawn
                ? Refuse(ProposalErrorCodes.ProposalWithdrawn, "This proposal was withdrawn.")
                : CommandResult<ProposalView>.Done(View());
        }

        var (round, config, refusal) = await ContextAsync();
        if (refusal is not null)
        {
            return refusal;
        }

        if (EditRefusal(round!) is { } notEditable)
        {
            return notEditable;
        }

        var errors = ProposalValidation.Validate(S.Content, config.Setup, forSubmission: true);
        if (errors.Count > 0)
        {
            return Refuse(ProposalErrorCodes.InvalidProposal, "The proposal is not complete.", errors);
        }

        await FlushIfPendingAsync();
        var submitted = ProposalStatusMachine.Submit(S.Status, S.Stage);
        S.Status = submitted.Status;
        S.Stage = submitted.Stage;
        Record(submitted.Event, submitted.Stage, null, null, config);

        return await SaveAsync();
    }

    async Task<CommandResult<ProposalView>> IProposalGrain.WithdrawAsync(Actor author, string reason)
    {
        if (AuthorRefusal(author) is { } refused)
        {
            return refused;
        }

        if (S.Status == ProposalStatus.Withdrawn)
        {
            return CommandResult<ProposalView>.Done(View());
        }

        if (ProposalStatusMachine.WithdrawRefusal(S.Status) is { } notWithdrawable)
        {
            return Refuse(notWithdrawable);
        }

        reason = reason?.Trim() ?? "";
        if (reason.Length == 0 || reason.Length > MaxReasonLength)
        {
            return Refuse(ProposalErrorCodes.InvalidReason, "Give a reason.",
                [new("reason", reason.Length == 0 ? ProposalErrorCodes.Required : ProposalErrorCodes.TooLong, $"A reason of 1 to {MaxReasonLength} characters is required.")]);
        }

        var config = await ConfigAsync();
        await FlushIfPendingAsync();
        S.Status = ProposalStatus.Withdrawn;
        S.WithdrawReason = reason;
        Record(ProposalEventKind.Withdrawn, S.Stage == 0 ? null : S.Stage, reason, null, config);
        return await SaveAsync();
    }

    Task<ProposalView?> IProposalGrain.GetAsync() => Task.FromResult(S.Exists ? View() : null);

    Task<ProposalReview?> IProposalGrain.GetReviewAsync() => Task.FromResult(S.Exists
        ? new ProposalReview(View(), [.. S.Scores], [.. S.Notes], [.. S.Decisions], [.. S.Assignees], WeightedScore())
        : null);

    async Task<CommandResult<ProposalView>> IProposalGrain.ScoreAsync(Actor screener, int stage, IReadOnlyDictionary<string, int> scores)
    {
        var (config, refusal) = await StaffCheckAsync(screener, stage);
        if (refusal is not null)
        {
            return refusal;
        }

        var definition = config!.Setup.Stage(stage)!;
        if (definition.Kind != StageKind.Scored)
        {
            return Refuse(ProposalErrorCodes.InvalidScores, "This stage is not scored.");
        }

        scores ??= new Dictionary<string, int>();
        var errors = new List<ValidationError>();
        foreach (var criterion in definition.Criteria)
        {
            if (!scores.TryGetValue(criterion.Id, out var value))
            {
                errors.Add(new($"scores.{criterion.Id}", ProposalErrorCodes.Required, $"Score '{criterion.Name}' from {ScreeningSetup.ScoreMin} to {ScreeningSetup.ScoreMax}."));
            }
            else if (value is < ScreeningSetup.ScoreMin or > ScreeningSetup.ScoreMax)
            {
                errors.Add(new($"scores.{criterion.Id}", "out-of-range", $"Scores run from {ScreeningSetup.ScoreMin} to {ScreeningSetup.ScoreMax}."));
            }
        }

        errors.AddRange(scores.Keys.Where(k => definition.Criteria.All(c => c.Id != k))
            .Select(k => new ValidationError($"scores.{k}", "unknown-criterion", "This stage has no such criterion.")));
        if (errors.Count > 0)
        {
            return Refuse(ProposalErrorCodes.InvalidScores, "The scores are not valid.", errors);
        }

        var weighted = Math.Round(
            definition.Criteria.Sum(c => (decimal)c.Weight * scores[c.Id]) / definition.Criteria.Sum(c => c.Weight), 2);
        var existing = S.Scores.FirstOrDefault(s => s.Stage == stage && s.ScreenerSub == screener.Sub);
        var ordered = definition.Criteria.ToDictionary(c => c.Id, c => scores[c.Id]);
        if (existing is not null && existing.Scores.Count == ordered.Count && ordered.All(kv => existing.Scores.TryGetValue(kv.Key, out var v) && v == kv.Value))
        {
            return CommandResult<ProposalView>.Done(View());
        }

        await FlushIfPendingAsync();
        S.Scores.RemoveAll(s => s.Stage == stage && s.ScreenerSub == screener.Sub);
        S.Scores.Add(new ScoreSheet(stage, screener.Sub, screener.Name, ordered, weighted, time.GetUtcNow()));
        Audit(screener, "proposal.score",
            existing is null ? null : existing.Weighted.ToString("0.00", CultureInfo.InvariantCulture),
            $"stage {stage}: {weighted.ToString("0.00", CultureInfo.InvariantCulture)} ({string.Join(", ", ordered.Select(kv => $"{kv.Key}={kv.Value}"))})");
        return await SaveAsync();
    }

    async Task<CommandResult<ProposalView>> IProposalGrain.AddNoteAsync(Actor screener, int stage, string noteId, string text)
    {
        if (S.Exists && S.Notes.Any(n => n.NoteId == noteId))
        {
            return CommandResult<ProposalView>.Done(View());
        }

        var (_, refusal) = await StaffCheckAsync(screener, stage);
        if (refusal is not null)
        {
            return refusal;
        }

        text = text?.Trim() ?? "";
        if (string.IsNullOrWhiteSpace(noteId) || noteId.Length > 64)
        {
            return Refuse(ProposalErrorCodes.InvalidNote, "A note needs an id of 1 to 64 characters.", [new("noteId", ProposalErrorCodes.Required, "A note id of 1 to 64 characters is required.")]);
        }

        if (text.Length == 0 || text.Length > ProposalValidation.NoteMax)
        {
            return Refuse(ProposalErrorCodes.InvalidNote, "The note is empty or too long.",
                [new("text", text.Length == 0 ? ProposalErrorCodes.Required : ProposalErrorCodes.TooLong, $"A note has 1 to {ProposalValidation.NoteMax} characters.")]);
        }

        if (S.Notes.Count >= MaxNotes || S.Notes.Sum(n => n.Text.Length) + text.Length > MaxNoteCharacters)
        {
            return Refuse(ProposalErrorCodes.InvalidNote, $"A proposal holds at most {MaxNotes} notes.");
        }

        await FlushIfPendingAsync();
        S.Notes.Add(new ReviewNote(noteId, stage, screener.Sub, screener.Name, time.GetUtcNow(), text));
        // The audit records that a note was written, not its (private) text.
        Audit(screener, "proposal.note", null, $"stage {stage}: note {noteId} ({text.Length} characters)");
        return await SaveAsync();
    }

    async Task<CommandResult<ProposalView>> IProposalGrain.DecideAsync(Actor screener, int stage, string decisionId, DecisionKind decision, string? message)
    {
        if (S.Exists && S.Decisions.Any(d => d.DecisionId == decisionId))
        {
            return CommandResult<ProposalView>.Done(View());
        }

        var (config, refusal) = await StaffCheckAsync(screener, stage);
        if (refusal is not null)
        {
            return refusal;
        }

        if (string.IsNullOrWhiteSpace(decisionId) || decisionId.Length > 64)
        {
            return Refuse(ProposalErrorCodes.InvalidProposal, "A decision needs an id.", [new("decisionId", ProposalErrorCodes.Required, "A decision id of 1 to 64 characters is required.")]);
        }

        message = ProposalValidation.Normalise(message);
        if (decision is DecisionKind.Return or DecisionKind.Decline && message is null)
        {
            return Refuse(ProposalErrorCodes.MessageRequired, "Say why.",
                [new("message", ProposalErrorCodes.Required, decision == DecisionKind.Return ? "Tell the proposer what to change." : "Give the public reason.")]);
        }

        if (message is { Length: > ProposalValidation.MessageMax })
        {
            return Refuse(ProposalErrorCodes.MessageRequired, "The message is too long.", [new("message", ProposalErrorCodes.TooLong, $"At most {ProposalValidation.MessageMax} characters.")]);
        }

        var definition = config!.Setup.Stage(stage)!;
        if (decision == DecisionKind.Advance && definition.Kind == StageKind.Scored && !S.Scores.Any(s => s.Stage == stage))
        {
            return Refuse(ProposalErrorCodes.ScoresRequired, "Score the proposal at this stage before advancing it.");
        }

        await FlushIfPendingAsync();
        var before = StatusText();
        var now = time.GetUtcNow();
        var decided = ProposalStatusMachine.Decide(decision, stage, config.Setup.Stages.Count);
        S.Status = decided.Status;
        S.Stage = decided.Stage;
        if (decided.Event == ProposalEventKind.Advanced)
        {
            S.PublishedAt ??= now;
        }

        if (decided.Status == ProposalStatus.Declined)
        {
            S.PublicReason = message;
        }

        Record(decided.Event, decided.Stage, decided.Event is ProposalEventKind.Returned or ProposalEventKind.Declined ? message : null, null, config);

        S.Decisions.Add(new StageDecision(decisionId, stage, decision, message, screener.Sub, screener.Name, now));
        Audit(screener, $"proposal.decide.{decision.ToString().ToLowerInvariant()}", before, StatusText() + (message is null ? "" : $": {message}"));
        return await SaveAsync();
    }

    async Task<CommandResult<ProposalView>> IProposalGrain.AssignAsync(Actor admin, IReadOnlyList<string> screenerSubs)
    {
        if (!S.Exists)
        {
            return NotFound();
        }

        if (ProposalStatusMachine.AssignRefusal(admin) is { } notAdministrator)
        {
            return Refuse(notAdministrator);
        }

        var subs = (screenerSubs ?? []).Select(s => s?.Trim() ?? "").Where(s => s.Length is > 0 and <= 100).Distinct(StringComparer.Ordinal).Take(20).ToList();
        if (subs.SequenceEqual(S.Assignees))
        {
            return CommandResult<ProposalView>.Done(View());
        }

        await FlushIfPendingAsync();
        var before = string.Join(", ", S.Assignees);
        S.Assignees = subs;
        Audit(admin, "proposal.assign", before, string.Join(", ", subs));
        return await SaveAsync();
    }

    async Task<CommandResult<ProposalView>> IProposalGrain.SetBallotNumberAsync(Actor admin, int? ballotNumber)
    {
        if (!S.Exists)
        {
            return NotFound();
        }

        if (ProposalStatusMachine.ShortlistRefusal(admin) is { } notAdministrator)
        {
            return Refuse(notAdministrator);
        }

        if (S.BallotNumber == ballotNumber && (ballotNumber is null || S.Status == ProposalStatus.Shortlisted))
        {
            return CommandResult<ProposalView>.Done(View());
        }

        if (ProposalStatusMachine.BallotNumberRefusal(S.Status, ballotNumber) is { } notSelected)
        {
            return Refuse(notSelected);
        }

        var (round, config, refusal) = await ContextAsync();
        if (refusal is not null)
        {
            return refusal;
        }

        if (ProposalStatusMachine.BallotFrozenRefusal(round!.Definition.Schedule.PhaseAt(time.GetUtcNow())) is { } frozen)
        {
            return Refuse(frozen);
        }

        await FlushIfPendingAsync();
        var before = StatusText();
        if (ballotNumber is null)
        {
            S.Status = ProposalStatus.Selected;
            S.BallotNumber = null;
            Record(ProposalEventKind.RemovedFromShortlist, null, null, null, config);
        }
        else
        {
            S.Status = ProposalStatus.Shortlisted;
            S.BallotNumber = ballotNumber;
            Record(ProposalEventKind.Shortlisted, null, null, ballotNumber, config);
        }

        Audit(admin, "proposal.ballot-number", before, StatusText());
        return await SaveAsync();
    }

    // ---- rules shared by the commands ----

    private CommandResult<ProposalView>? AuthorRefusal(Actor author)
    {
        if (!S.Exists)
        {
            return NotFound();
        }

        // Someone else's proposal is answered like a missing one: ids reveal nothing.
        return S.AuthorSub != author.Sub ? Refuse(ProposalErrorCodes.ProposalNotFound, "There is no such proposal of yours.") : null;
    }

    /// <summary>Drafts and submissions awaiting intake change while the call is open; returned proposals until voting opens.</summary>
    private CommandResult<ProposalView>? EditRefusal(RoundSnapshot round) =>
        ProposalStatusMachine.EditRefusal(S.Status, round.Definition.Schedule.PhaseAt(time.GetUtcNow())) is { } refusal ? Refuse(refusal) : null;

    private async Task<(ScreeningConfig? Config, CommandResult<ProposalView>? Refusal)> StaffCheckAsync(Actor actor, int stage)
    {
        if (!S.Exists)
        {
            return (null, NotFound());
        }

        if ((ProposalStatusMachine.ReviewerRefusal(actor) ?? ProposalStatusMachine.ReviewRefusal(S.Status)) is { } refusal)
        {
            return (null, Refuse(refusal));
        }

        if (stage != S.Stage)
        {
            return (null, Refuse(ProposalErrorCodes.StageMismatch, $"The proposal is at stage {S.Stage}, not {stage}.",
                [new("stage", ProposalErrorCodes.StageMismatch, $"The proposal is at stage {S.Stage}.")]));
        }

        var config = await ConfigAsync();
        if (config.Setup.Stage(stage) is null)
        {
            return (null, Refuse(ProposalErrorCodes.StageMismatch, "The round has no such stage."));
        }

        if (!actor.IsAdministrator && !config.IsAssigned(actor.Sub, stage) && !S.Assignees.Contains(actor.Sub))
        {
            return (null, Refuse(ProposalErrorCodes.NotAssigned, $"You are not assigned to stage {stage} or to this proposal."));
        }

        return (config, null);
    }

    private async Task<(RoundSnapshot? Round, ScreeningConfig Config, CommandResult<ProposalView>? Refusal)> ContextAsync()
    {
        var round = await GrainFactory.GetGrain<IRoundGrain>(_roundId).GetAsync();
        var config = await ConfigAsync();
        return round is null
            ? (null, config, Refuse(ProposalErrorCodes.RoundNotFound, "There is no such round."))
            : (round, config, null);
    }

    private Task<ScreeningConfig> ConfigAsync() => GrainFactory.GetGrain<IScreeningGrain>(_roundId).GetConfigAsync();

    // ---- writing and the outbox ----

    private void Record(ProposalEventKind kind, int? stage, string? message, int? ballotNumber, ScreeningConfig config, bool notify = true)
    {
        var seq = S.History.Count + 1;
        var now = time.GetUtcNow();
        S.History.Add(new ProposalEvent(seq, now, kind, stage, message, ballotNumber));
        // A proposer who wrote on paper has no inbox; staff tell them by their contact.
        if (notify && S.Intake is null)
        {
            S.PendingNotices.Add(ProposalNotices.For(_roundId, _proposalId, S.Content!.Title, seq, now, kind, stage is null ? null : config.Setup.Stage(stage.Value), message, ballotNumber));
        }
    }

    private void Audit(Actor actor, string action, string? before, string? after)
    {
        S.AuditSeq++;
        S.PendingAudit.Add(new AuditEntry($"proposal:{_proposalId}:{S.AuditSeq}", time.GetUtcNow(), actor.Sub, actor.Name, action,
            $"proposal {_proposalId}", before, after));
    }

    private async Task<CommandResult<ProposalView>> SaveAsync()
    {
        S.Version++;
        S.UpdatedAt = time.GetUtcNow();
        S.IndexPending = true;
        await state.WriteStateAsync();
        await FlushAsync();
        return CommandResult<ProposalView>.Done(View());
    }

    private async Task FlushIfPendingAsync()
    {
        if (S.PendingAudit.Count > 0 || S.PendingNotices.Count > 0 || S.IndexPending)
        {
            await FlushAsync();
        }
    }

    /// <summary>Delivers the stored effects; each is idempotent, so repeating after a failure is safe.</summary>
    private async Task FlushAsync()
    {
        await GrainFactory.GetGrain<IProposalIndexGrain>(_roundId).UpsertAsync(Summary());
        var audit = new GrainAuditLog(GrainFactory);
        foreach (var entry in S.PendingAudit)
        {
            await audit.AppendAsync(_roundId, entry);
        }

        var inbox = GrainFactory.GetGrain<INotificationInboxGrain>(S.AuthorSub);
        foreach (var notice in S.PendingNotices)
        {
            await inbox.DeliverAsync(notice);
        }

        // Cleared in memory; the next write stores the cleared lists.
        S.PendingAudit.Clear();
        S.PendingNotices.Clear();
        S.IndexPending = false;
    }

    private string StatusText() => S.Status switch
    {
        ProposalStatus.Submitted or ProposalStatus.InReview or ProposalStatus.Returned => $"{Kebab(S.Status)} (stage {S.Stage})",
        ProposalStatus.Shortlisted => $"shortlisted (ballot number {S.BallotNumber})",
        _ => Kebab(S.Status),
    };

    private static string Kebab(ProposalStatus status) => status switch
    {
        ProposalStatus.InReview => "in-review",
        _ => status.ToString().ToLowerInvariant(),
    };

    private decimal? WeightedScore()
    {
        var latest = S.Scores.Count == 0 ? (int?)null : S.Scores.Max(s => s.Stage);
        return latest is null ? null : Math.Round(S.Scores.Where(s => s.Stage == latest).Average(s => s.Weighted), 2);
    }

    private ProposalSummary Summary() => new(_proposalId, S.AuthorSub, S.Content?.Title ?? "", S.Content?.Category ?? "", S.Status, S.Stage,
        S.PublishedAt is not null, WeightedScore(), S.BallotNumber, [.. S.Assignees], S.UpdatedAt, S.Version, S.Content?.TitleEn);

    private ProposalView View() => new(_roundId, _proposalId, S.AuthorSub, S.AuthorName, S.Content!, S.Status, S.Stage, S.BallotNumber,
        S.PublicReason, S.PublishedAt, S.CreatedAt, S.UpdatedAt, S.Version, [.. S.History], S.Intake);

    private static CommandResult<ProposalView> NotFound() => Refuse(ProposalErrorCodes.ProposalNotFound, "There is no such proposal.");

    private static CommandResult<ProposalView> Refuse(ProposalRefusal refusal) => Refuse(refusal.Code, refusal.Message);

    /// <summary>A refusal; without errors of its own, one error on the field <c>proposal</c> carries the message.</summary>
    private static CommandResult<ProposalView> Refuse(string code, string message, IReadOnlyList<ValidationError>? errors = null) =>
        errors is { Count: > 0 } ? CommandResult<ProposalView>.Refused(code, errors) : CommandResult<ProposalView>.Refused(code, message, "proposal");
}
