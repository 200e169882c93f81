using System.Globalization;
using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Grains.Implementation;

[GenerateSerializer, Alias("civic.implementation-state")]
public sealed class ImplementationState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string Title { get; set; } = "";
    [Id(2)] public string? TitleEn { get; set; }
    [Id(3)] public string Category { get; set; } = "";
    [Id(4)] public DateOnly AdoptedOn { get; set; }
    [Id(5)] public string AuthorSub { get; set; } = "";
    [Id(6)] public List<ImplementationStep> Steps { get; set; } = [];
    [Id(7)] public long? BudgetYen { get; set; }
    [Id(8)] public List<ImplementationLink> Links { get; set; } = [];
    [Id(9)] public List<Indicator> Indicators { get; set; } = [];
    [Id(10)] public List<ImplementationAssignee> Assignees { get; set; } = [];
    [Id(11)] public int Version { get; set; }
    [Id(12)] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Request ids as stored before <see cref="Requests"/> (no digest): taken over into it on activation, then empty.</summary>
    [Id(13)] public List<string> RecentRequests { get; set; } = [];

    /// <summary>Effects stored with the change and delivered after it (an outbox, as in the proposal grain); their ids are fixed.</summary>
    [Id(14)] public List<AuditEntry> PendingAudit { get; set; } = [];
    [Id(15)] public List<Notice> PendingNotices { get; set; } = [];
    [Id(16)] public bool DirectoryPending { get; set; }

    /// <summary>Steps an administrator withdrew (corrected), with why: kept, never shown in public; their seq numbers are never reused.</summary>
    [Id(17)] public List<WithdrawnStep> Withdrawn { get; set; } = [];

    /// <summary>Notices of withdrawn steps still to be taken back from the inboxes they went to (outbox, like the notices).</summary>
    [Id(18)] public List<string> PendingRetractions { get; set; } = [];

    /// <summary>The last <see cref="ImplementationGrain.RequestsKept"/> requests with a digest of each command: a retry changes nothing, another command under the same id is refused.</summary>
    [Id(19)] public RememberedRequests Requests { get; set; } = new();
}

[GenerateSerializer, Alias("civic.implementation-withdrawn-step")]
public sealed record WithdrawnStep(
    [property: Id(0)] ImplementationStep Step,
    [property: Id(1)] string Reason,
    [property: Id(2)] string By,
    [property: Id(3)] DateTimeOffset At);

/// <summary>
/// One adopted proposal's implementation record. Non-reentrant: changes are made one at a time. A few KB
/// (≤100 steps of ≤1,000 characters, ≤10 indicators of ≤120 actuals: ≤ ~400 KB at the very worst).
/// </summary>
[GrainType("implementation")]
public sealed class ImplementationGrain(
    [PersistentState("implementation", StorageNames.GrainState)] IPersistentState<ImplementationState> state,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<ImplementationOptions> options) : Grain, IImplementationGrain
{
    /// <summary>How many requests the record remembers (<see cref="ImplementationState.Requests"/>).</summary>
    public const int RequestsKept = 64;
    public const string SystemActor = "system:results";

    private string _roundId = "";
    private string _proposalId = "";

    private ImplementationState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        _roundId = colon > 0 ? key[..colon] : key;
        _proposalId = colon > 0 ? key[(colon + 1)..] : "";
        if (S.RecentRequests.Count > 0)
        {
            // State from before digests: those ids still answer a retry as before; written with the next change.
            S.Requests.Adopt(S.RecentRequests.Select(id => (id, (string?)null)), RequestsKept);
            S.RecentRequests.Clear();
        }

        if (S.Exists && (S.PendingAudit.Count > 0 || S.PendingNotices.Count > 0 || S.PendingRetractions.Count > 0 || S.DirectoryPending))
        {
            await FlushAsync();
        }
    }

    async Task<CommandResult<ImplementationRecord>> IImplementationGrain.OpenAsync()
    {
        if (S.Exists)
        {
            await FlushIfPendingAsync();
            return CommandResult<ImplementationRecord>.Done(Record());
        }

        var results = await GrainFactory.GetGrain<IResultsGrain>(_roundId).GetAsync();
        var adopted = results is { IsPublished: true, Adoption: { } adoption }
            ? results.Certified!.Table.Proposals.FirstOrDefault(p => p.ProposalId == _proposalId && adoption.Adopted.Contains(p.BallotNumber))
            : null;
        if (adopted is null)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.NotAdopted, "Only proposals adopted in published results have an implementation record.");
        }

        var proposal = await GrainFactory.GetGrain<IProposalGrain>(ImplementationValidation.Key(_roundId, _proposalId)).GetAsync();
        var path = await Path();
        var now = time.GetUtcNow();
        S.Exists = true;
        S.Title = adopted.Title;
        S.TitleEn = adopted.TitleEn;
        S.Category = proposal?.Content.Category ?? "";
        S.AuthorSub = proposal?.AuthorSub ?? "";
        S.AdoptedOn = DateOnly.FromDateTime(WardClock.ToWardTime(results!.PublishedAt!.Value).DateTime);
        var step = new ImplementationStep(0, path.Statuses[0].Id, S.AdoptedOn, "区民投票の結果、採用されました。", "Adopted by the resident vote.", "", now);
        S.Steps.Add(step);
        Audit("opened", SystemActor, "results", "implementation.opened", null, step.StatusId);
        S.PendingNotices.Add(ImplementationNotices.For(_roundId, _proposalId, S.Title, S.TitleEn, step, path.Statuses[0], now)!);
        return await SaveAsync();
    }

    Task<ImplementationRecord?> IImplementationGrain.GetAsync() => Task.FromResult(S.Exists ? Record() : null);

    async Task<CommandResult<ImplementationRecord>> IImplementationGrain.SetStatusAsync(Actor actor, string requestId, StatusChange change)
    {
        var digest = RememberedRequests.Digest("status", actor.Sub, change);
        if (Begin(actor, requestId, digest) is { } answered)
        {
            return answered;
        }

        var path = await Path();
        var status = path.Find(change?.StatusId);
        if (change is null || status is null)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.InvalidStatus, "Choose a status of the ward's path, or not-pursued.", "status");
        }

        var note = change.Note?.Trim() ?? "";
        var noteEn = change.NoteEn?.Trim() is { Length: > 0 } en ? en : null;
        var named = change.Department?.Trim() is { Length: > 0 } d ? d : null;
        var department = named ?? Record().Department;
        var errors = new List<ValidationError>();
        var today = WardClock.Today(time);
        var previous = S.Steps[^1];
        if (!path.MayMove(previous.StatusId, status.Id))
        {
            var allowed = string.Join(", ", path.NextFrom(previous.StatusId).Select(s => s.Id));
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.StatusNotForward,
                $"A record moves only forward along the ward's path (見送り before 実施済): from \"{previous.StatusId}\" it may go to {(allowed.Length == 0 ? "nothing" : allowed)}. "
                + "A wrong latest step is withdrawn by an administrator, with a reason.", "status");
        }

        if (ImplementationDates.Step(change.Date, S.AdoptedOn, previous.Date, today) is { } issue)
        {
            errors.Add(issue.Error);
        }

        // A department named here comes from the ward's list; a step that names none keeps the record's last one.
        if (named is not null && !options.Value.DepartmentList.Contains(named, StringComparer.Ordinal))
        {
            errors.Add(new("department", ImplementationErrorCodes.InvalidDepartment, "Choose the responsible department from the ward's list (GET /api/v1/implementation/departments)."));
        }

        if (status.Id == ImplementationPath.NotPursued && note.Length == 0)
        {
            errors.Add(new("note", ImplementationErrorCodes.ReasonRequired, "Not pursuing an adopted proposal needs a public reason in the note."));
        }

        if (note.Length > ImplementationValidation.NoteMaxLength || noteEn?.Length > ImplementationValidation.NoteMaxLength)
        {
            errors.Add(new("note", ImplementationErrorCodes.InvalidText, $"A note has at most {ImplementationValidation.NoteMaxLength} characters."));
        }

        if (department.Length is 0 or > ImplementationValidation.DepartmentMaxLength)
        {
            errors.Add(new("department", ImplementationErrorCodes.InvalidDepartment, "Choose the responsible department from the ward's list."));
        }

        if (errors.Count > 0)
        {
            return CommandResult<ImplementationRecord>.Refused(errors[0].Code, errors);
        }

        if (S.Steps.Count >= ImplementationValidation.MaxSteps)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.TooMany, $"A record keeps at most {ImplementationValidation.MaxSteps} steps.", "status");
        }

        var now = time.GetUtcNow();
        var step = new ImplementationStep(NextSeq(), status.Id, change.Date, note, noteEn, department, now);
        S.Steps.Add(step);
        Audit(requestId, actor.Sub, actor.Name, "implementation.status", $"{previous.StatusId} {previous.Date:yyyy-MM-dd}", $"{step.StatusId} {step.Date:yyyy-MM-dd} ({department})");
        if (ImplementationNotices.For(_roundId, _proposalId, S.Title, S.TitleEn, step, status, now) is { } notice)
        {
            S.PendingNotices.Add(notice);
        }
        return await SaveAsync(requestId, digest);
    }

    async Task<CommandResult<ImplementationRecord>> IImplementationGrain.SetDetailsAsync(Actor actor, string requestId, ImplementationDetails details)
    {
        var digest = RememberedRequests.Digest("details", actor.Sub, details);
        if (Begin(actor, requestId, digest) is { } answered)
        {
            return answered;
        }

        var errors = ImplementationValidation.Validate(details);
        if (errors.Count > 0)
        {
            return CommandResult<ImplementationRecord>.Refused(errors[0].Code, errors);
        }

        var links = details.Links?.Select(l => new ImplementationLink(l.Title.Trim(), l.Url.Trim())).ToList() ?? [];
        var before = Describe(S.BudgetYen, S.Links);
        S.BudgetYen = details.BudgetYen;
        S.Links = links;
        Audit(requestId, actor.Sub, actor.Name, "implementation.details", before, Describe(S.BudgetYen, S.Links));
        return await SaveAsync(requestId, digest);
    }

    async Task<CommandResult<ImplementationRecord>> IImplementationGrain.SetIndicatorAsync(Actor actor, string requestId, IndicatorDefinition indicator)
    {
        var digest = RememberedRequests.Digest("indicator", actor.Sub, indicator);
        if (Begin(actor, requestId, digest) is { } answered)
        {
            return answered;
        }

        var errors = ImplementationValidation.Validate(indicator);
        if (errors.Count > 0)
        {
            return CommandResult<ImplementationRecord>.Refused(errors[0].Code, errors);
        }

        var index = S.Indicators.FindIndex(i => i.Id == indicator.Id);
        if (index < 0 && S.Indicators.Count >= ImplementationValidation.MaxIndicators)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.TooMany, $"A record has at most {ImplementationValidation.MaxIndicators} indicators.", "id");
        }

        var updated = new Indicator(indicator.Id, indicator.Name.Trim(), Blank(indicator.NameEn), indicator.Unit.Trim(), Blank(indicator.UnitEn),
            indicator.Target, indicator.TargetDate, index < 0 ? [] : S.Indicators[index].Actuals);
        string? before = null;
        if (index < 0)
        {
            S.Indicators.Add(updated);
        }
        else
        {
            before = $"{S.Indicators[index].Name}: target {S.Indicators[index].Target.ToString(CultureInfo.InvariantCulture)} {S.Indicators[index].Unit}";
            S.Indicators[index] = updated;
        }

        Audit(requestId, actor.Sub, actor.Name, "implementation.indicator", before, $"{updated.Name}: target {updated.Target.ToString(CultureInfo.InvariantCulture)} {updated.Unit}");
        return await SaveAsync(requestId, digest);
    }

    async Task<CommandResult<ImplementationRecord>> IImplementationGrain.RecordActualAsync(Actor actor, string requestId, string indicatorId, IndicatorActual actual, bool replace)
    {
        if (Check(actor, requestId) is { } refused)
        {
            return refused;
        }

        // Without "replace" the digest is the one requests had before the flag existed, so their retries still match.
        var digest = replace
            ? RememberedRequests.Digest("actual", actor.Sub, indicatorId, actual, true)
            : RememberedRequests.Digest("actual", actor.Sub, indicatorId, actual);
        if (Repeat(requestId, digest) is { } repeat)
        {
            return repeat;
        }

        var index = S.Indicators.FindIndex(i => i.Id == indicatorId);
        if (index < 0)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.IndicatorNotFound, "The record has no such indicator.", "indicatorId");
        }

        var errors = new List<ValidationError>();
        if (ImplementationDates.Actual(actual?.Date, S.AdoptedOn, WardClock.Today(time)) is { } issue)
        {
            errors.Add(issue.Error);
        }

        if (actual is not null && actual.Value is < 0 or > 1_000_000_000_000)
        {
            errors.Add(new("value", ImplementationErrorCodes.InvalidIndicator, "An actual is a number from 0 to 1,000,000,000,000."));
        }

        if (actual?.Note?.Trim().Length > 200)
        {
            errors.Add(new("note", ImplementationErrorCodes.InvalidText, "A note on an actual has at most 200 characters."));
        }

        if (errors.Count > 0)
        {
            return CommandResult<ImplementationRecord>.Refused(errors[0].Code, errors);
        }

        var indicator = S.Indicators[index];
        var actuals = indicator.Actuals.Where(a => a.Date != actual!.Date).ToList();
        var previous = indicator.Actuals.FirstOrDefault(a => a.Date == actual!.Date);
        if (previous is not null && !replace)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.ActualExists,
                $"The indicator \"{indicator.Name}\" already has an actual dated {previous.Date:yyyy-MM-dd}: {previous.Value.ToString(CultureInfo.InvariantCulture)}. "
                + $"To replace it with {actual!.Value.ToString(CultureInfo.InvariantCulture)}, send the request again with \"replace\": true.", "date");
        }

        if (previous is null && actuals.Count >= ImplementationValidation.MaxActuals)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.TooMany, $"An indicator keeps at most {ImplementationValidation.MaxActuals} actuals.", "date");
        }

        actuals.Add(new IndicatorActual(actual!.Date, actual.Value, Blank(actual.Note)));
        S.Indicators[index] = indicator with { Actuals = [.. actuals.OrderBy(a => a.Date)] };
        Audit(requestId, actor.Sub, actor.Name, "implementation.actual",
            previous is null ? null : $"{indicator.Name} {previous.Date:yyyy-MM-dd}: {previous.Value.ToString(CultureInfo.InvariantCulture)}",
            $"{indicator.Name} {actual.Date:yyyy-MM-dd}: {actual.Value.ToString(CultureInfo.InvariantCulture)}");
        return await SaveAsync(requestId, digest);
    }

    async Task<CommandResult<ImplementationRecord>> IImplementationGrain.SetAdoptedOnAsync(Actor admin, string requestId, DateOnly date)
    {
        if (Check(admin, requestId) is { } refused)
        {
            return refused;
        }

        if (!admin.IsAdministrator)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.NotAllowed, "Only administrators correct the adoption date.");
        }

        var digest = RememberedRequests.Digest("adopted-on", admin.Sub, date);
        if (Repeat(requestId, digest) is { } repeat)
        {
            return repeat;
        }

        var published = DateOnly.FromDateTime(WardClock.ToWardTime(S.Steps[0].RecordedAt).DateTime);
        if (ImplementationDates.Adoption(date, published, S.Steps.Skip(1).Select(s => (DateOnly?)s.Date).Min()) is { } issue)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.InvalidDate, [issue.Error]);
        }

        var before = S.AdoptedOn;
        S.AdoptedOn = date;
        S.Steps[0] = S.Steps[0] with { Date = date };
        Audit(requestId, admin.Sub, admin.Name, "implementation.adopted-on", $"{before:yyyy-MM-dd}", $"{date:yyyy-MM-dd}");
        return await SaveAsync(requestId, digest);
    }

    async Task<CommandResult<ImplementationRecord>> IImplementationGrain.DeleteActualAsync(Actor actor, string requestId, string indicatorId, DateOnly date)
    {
        var digest = RememberedRequests.Digest("actual-deleted", actor.Sub, indicatorId, date);
        if (Begin(actor, requestId, digest) is { } answered)
        {
            return answered;
        }

        var index = S.Indicators.FindIndex(i => i.Id == indicatorId);
        if (index < 0)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.IndicatorNotFound, "The record has no such indicator.", "indicatorId");
        }

        var indicator = S.Indicators[index];
        if (indicator.Actuals.FirstOrDefault(a => a.Date == date) is not { } gone)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.ActualNotFound,
                $"The indicator \"{indicatorId}\" has no actual dated {date:yyyy-MM-dd}.", "date");
        }

        S.Indicators[index] = indicator with { Actuals = [.. indicator.Actuals.Where(a => a.Date != date)] };
        Audit(requestId, actor.Sub, actor.Name, "implementation.actual-deleted",
            $"{indicator.Name} {gone.Date:yyyy-MM-dd}: {gone.Value.ToString(CultureInfo.InvariantCulture)}", null);
        return await SaveAsync(requestId, digest);
    }

    async Task<CommandResult<ImplementationRecord>> IImplementationGrain.DeleteIndicatorAsync(Actor actor, string requestId, string indicatorId)
    {
        var digest = RememberedRequests.Digest("indicator-deleted", actor.Sub, indicatorId);
        if (Begin(actor, requestId, digest) is { } answered)
        {
            return answered;
        }

        if (S.Indicators.FirstOrDefault(i => i.Id == indicatorId) is not { } gone)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.IndicatorNotFound, $"The record has no indicator \"{indicatorId}\".", "indicatorId");
        }

        S.Indicators.Remove(gone);
        Audit(requestId, actor.Sub, actor.Name, "implementation.indicator-deleted",
            $"{gone.Name} ({gone.Id}): target {gone.Target.ToString(CultureInfo.InvariantCulture)} {gone.Unit}, {gone.Actuals.Count} actuals"
            + string.Concat(gone.Actuals.Select(a => $"; {a.Date:yyyy-MM-dd}: {a.Value.ToString(CultureInfo.InvariantCulture)}")), null);
        return await SaveAsync(requestId, digest);
    }

    async Task<CommandResult<ImplementationRecord>> IImplementationGrain.WithdrawStepAsync(Actor admin, string requestId, int seq, string reason)
    {
        if (Check(admin, requestId) is { } refused)
        {
            return refused;
        }

        if (!admin.IsAdministrator)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.NotAllowed, "Only administrators withdraw a step.");
        }

        var digest = RememberedRequests.Digest("step-withdrawn", admin.Sub, seq, reason);
        if (Repeat(requestId, digest) is { } repeat)
        {
            return repeat;
        }

        var latest = S.Steps[^1];
        if (S.Steps.Count == 1 || latest.Seq != seq)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.StepNotWithdrawable, S.Steps.Count == 1
                ? "The adoption cannot be withdrawn: it is the record's first step."
                : $"Only the latest step (seq {latest.Seq}) can be withdrawn; withdraw the steps after this one first.", "seq");
        }

        var why = reason?.Trim() ?? "";
        if (why.Length == 0)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.ReasonRequired, "Withdrawing a step needs a reason (kept in the audit log).", "reason");
        }

        if (why.Length > 500)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.InvalidText, "The reason has at most 500 characters.", "reason");
        }

        S.Steps.RemoveAt(S.Steps.Count - 1);
        S.Withdrawn.Add(new WithdrawnStep(latest, why, admin.Sub, time.GetUtcNow()));
        // The wrong step's notice leaves the inboxes with it: not delivered if it has not been yet, taken back if it has.
        var noticeId = ImplementationNotices.NoticeId(_roundId, _proposalId, latest.Seq);
        S.PendingNotices.RemoveAll(n => n.NoticeId == noticeId);
        S.PendingRetractions.Add(noticeId);
        Audit(requestId, admin.Sub, admin.Name, "implementation.step-withdrawn",
            $"{latest.StatusId} {latest.Date:yyyy-MM-dd} ({latest.Department}) seq {latest.Seq}", why);
        return await SaveAsync(requestId, digest);
    }

    async Task<CommandResult<ImplementationRecord>> IImplementationGrain.AssignAsync(Actor admin, string requestId, IReadOnlyList<ImplementationAssignee> assignees)
    {
        if (!S.Exists)
        {
            return NotFound();
        }

        if (!admin.IsAdministrator)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.NotAllowed, "Only administrators assign department staff.");
        }

        if (!ImplementationValidation.IsValidRequestId(requestId))
        {
            return BadRequestId();
        }

        var digest = RememberedRequests.Digest("assign", admin.Sub, assignees);
        if (Repeat(requestId, digest) is { } repeat)
        {
            return repeat;
        }

        var list = (assignees ?? []).ToList();
        if (list.Count > ImplementationValidation.MaxAssignees
            || list.Any(a => a is null || a.Sub?.Trim() is not { Length: > 0 and <= 100 } || a.Name?.Trim().Length > 100)
            || list.Select(a => a.Sub.Trim()).Distinct().Count() != list.Count)
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.InvalidAssignment,
                $"Up to {ImplementationValidation.MaxAssignees} distinct staff, each with a login id of at most 100 characters.", "assignees");
        }

        var before = string.Join(", ", S.Assignees.Select(a => a.Sub));
        S.Assignees = [.. list.Select(a => new ImplementationAssignee(a.Sub.Trim(), a.Name?.Trim() is { Length: > 0 } n ? n : a.Sub.Trim()))];
        Audit(requestId, admin.Sub, admin.Name, "implementation.assign", before.Length == 0 ? null : before, string.Join(", ", S.Assignees.Select(a => a.Sub)));
        return await SaveAsync(requestId, digest);
    }

    /// <summary>Exists, the actor may change it (administrators, or department staff assigned to it), and the request id is usable.</summary>
    private CommandResult<ImplementationRecord>? Check(Actor actor, string requestId)
    {
        if (!S.Exists)
        {
            return NotFound();
        }

        if (!actor.IsAdministrator && !(actor.IsDepartment && S.Assignees.Any(a => a.Sub == actor.Sub)))
        {
            return CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.NotAllowed, "Only administrators and the department staff assigned to this proposal change its record.");
        }

        return ImplementationValidation.IsValidRequestId(requestId) ? null : BadRequestId();
    }

    /// <summary>
    /// A request id seen before: the same command again is a retry whose answer was lost (the record as it is, nothing
    /// changed); another command under that id is refused, so the caller never takes the old change for the new one.
    /// </summary>
    /// <summary>A department command's start: refused for the caller, or the first answer again for a repeated request; else null.</summary>
    private CommandResult<ImplementationRecord>? Begin(Actor actor, string requestId, string digest) =>
        Check(actor, requestId) ?? Repeat(requestId, digest);

    private CommandResult<ImplementationRecord>? Repeat(string requestId, string digest) => S.Requests.Check(requestId, digest, out _) switch
    {
        RequestSeen.New => null,
        RequestSeen.Repeated => CommandResult<ImplementationRecord>.Done(Record()),
        _ => CommandResult<ImplementationRecord>.Refused(RememberedRequests.ReusedCode,
            "This request id was already used for a different change to this record; send a new request id for a new change.", "requestId"),
    };

    /// <summary>A new step's number: never one a withdrawn step had, so its notice id is new too.</summary>
    private int NextSeq() => S.Steps.Select(s => s.Seq).Concat(S.Withdrawn.Select(w => w.Step.Seq)).DefaultIfEmpty(-1).Max() + 1;

    private static CommandResult<ImplementationRecord> BadRequestId() =>
        CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.InvalidRequestId, "Every change carries a request id of 1 to 100 characters (a retry repeats it).", "requestId");

    private static CommandResult<ImplementationRecord> NotFound() =>
        CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.NotFound, "This proposal has no implementation record (only adopted proposals of published results do).");

    private Task<ImplementationPath> Path() =>
        GrainFactory.GetGrain<IImplementationDirectoryGrain>(IImplementationDirectoryGrain.WardKey).GetPathAsync();

    private void Audit(string requestId, string actorSub, string actorName, string action, string? before, string? after) =>
        S.PendingAudit.Add(new AuditEntry($"implementation:{_proposalId}:{requestId}", time.GetUtcNow(), actorSub, actorName, action,
            $"proposal {_proposalId}", before, after));

    private static string Describe(long? budget, IReadOnlyList<ImplementationLink> links) =>
        $"budget {(budget is null ? "-" : budget.Value.ToString(CultureInfo.InvariantCulture) + " yen")}, {links.Count} links";

    private static string? Blank(string? value) => value?.Trim() is { Length: > 0 } v ? v : null;

    private async Task<CommandResult<ImplementationRecord>> SaveAsync(string? requestId = null, string? digest = null)
    {
        if (requestId is not null)
        {
            S.Requests.Remember(requestId, digest, null, RequestsKept);
        }

        S.Version++;
        S.UpdatedAt = time.GetUtcNow();
        S.DirectoryPending = true;
        await state.WriteStateAsync();
        await FlushAsync();
        return CommandResult<ImplementationRecord>.Done(Record());
    }

    private async Task FlushIfPendingAsync()
    {
        if (S.PendingAudit.Count > 0 || S.PendingNotices.Count > 0 || S.PendingRetractions.Count > 0 || S.DirectoryPending)
        {
            await FlushAsync();
        }
    }

    /// <summary>Delivers the stored effects; each is idempotent (fixed ids, upserts), so repeating after a failure is safe.</summary>
    private async Task FlushAsync()
    {
        var directory = GrainFactory.GetGrain<IImplementationDirectoryGrain>(IImplementationDirectoryGrain.WardKey);
        await directory.UpsertAsync(Record().Summary(await directory.GetPathAsync()));
        var audit = new GrainAuditLog(GrainFactory);
        foreach (var entry in S.PendingAudit)
        {
            await audit.AppendAsync(_roundId, entry);
        }

        if (S.PendingNotices.Count > 0)
        {
            // The proposer and everyone following the proposal, each once: the proposer as the proposer (even if they follow
            // too), each follower with the stop link of their own following.
            var followers = await GrainFactory.GetGrain<IProposalFollowersGrain>(ImplementationValidation.Key(_roundId, _proposalId)).RecipientsAsync();
            var recipients = followers
                .Where(f => f.Sub.Length > 0 && f.Sub != S.AuthorSub)
                .Select(f => (f.Sub, Footer: ImplementationNotices.FollowerFooter(_roundId, _proposalId, f.Token)))
                .Prepend((Sub: S.AuthorSub, Footer: ImplementationNotices.ProposerFooter))
                .Where(r => r.Sub.Length > 0)
                .DistinctBy(r => r.Sub, StringComparer.Ordinal).ToList();
            foreach (var notice in S.PendingNotices)
            {
                await Task.WhenAll(recipients.Select(r => GrainFactory.GetGrain<INotificationInboxGrain>(r.Sub).DeliverWithFooterAsync(notice, r.Footer)));
            }
        }

        if (S.PendingRetractions.Count > 0)
        {
            // The same people the notice went to: the proposer and the followers (an inbox without it ignores the call).
            // Those whose email of it had already gone out get one correction (the inbox knows; a repeat does nothing).
            var followers = await GrainFactory.GetGrain<IProposalFollowersGrain>(ImplementationValidation.Key(_roundId, _proposalId)).ListAsync();
            var recipients = followers.Prepend(S.AuthorSub).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            var path = await directory.GetPathAsync();
            foreach (var noticeId in S.PendingRetractions)
            {
                var correction = S.Withdrawn.LastOrDefault(w => ImplementationNotices.NoticeId(_roundId, _proposalId, w.Step.Seq) == noticeId) is { } withdrawn
                    ? ImplementationNotices.Correction(_roundId, _proposalId, S.Title, S.TitleEn, withdrawn.Step, path.Find(withdrawn.Step.StatusId), withdrawn.Reason, withdrawn.At)
                    : null;
                await Task.WhenAll(recipients.Select(sub => correction is null
                    ? GrainFactory.GetGrain<INotificationInboxGrain>(sub).WithdrawAsync(noticeId)
                    : GrainFactory.GetGrain<INotificationInboxGrain>(sub).WithdrawWithCorrectionAsync(noticeId, correction)));
            }
        }

        S.PendingAudit.Clear();
        S.PendingNotices.Clear();
        S.PendingRetractions.Clear();
        S.DirectoryPending = false;
    }

    private ImplementationRecord Record() => new(_roundId, _proposalId, S.Title, S.TitleEn, S.Category, S.AdoptedOn, [.. S.Steps],
        S.BudgetYen, [.. S.Links], [.. S.Indicators], [.. S.Assignees], S.Version, S.UpdatedAt);
}
