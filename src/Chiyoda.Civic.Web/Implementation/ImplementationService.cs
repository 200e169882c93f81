using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Ballots;
using Chiyoda.Civic.Web.Proposals;
using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.Implementation;

/// <summary>Whether the person is subscribed to the "results are out" notice, and why a subscription was refused (null: it was not).</summary>
public sealed record ResultsNoticeAnswer(bool Subscribed, string? Refusal);

/// <summary>Filters of the ward-wide list; each is optional (query-string values on the page and in the API).</summary>
public sealed record ImplementationFilter(string? Status = null, int? Year = null, string? Category = null, string? Department = null)
{
    /// <summary>The fiscal years the <c>year</c> filter takes (the programme began in 2024; any other is not a year of it).</summary>
    public const int FirstYear = 2000;

    public const int LastYear = 2100;

    public bool Matches(ImplementationSummary s) =>
        (string.IsNullOrEmpty(Status) || s.StatusId == Status)
        && (Year is null || s.FiscalYear == Year)
        && (string.IsNullOrEmpty(Category) || s.Category == Category)
        && (string.IsNullOrEmpty(Department) || s.Department == Department);
}

/// <summary>The one way pages and the API reach implementation records, the ward's directory of them and followers.</summary>
public sealed class ImplementationService(IGrainFactory grains, KnownRounds rounds, ProposalService proposals, Microsoft.Extensions.Options.IOptions<ImplementationOptions> options)
{
    private IImplementationGrain Grain(string roundId, string proposalId) =>
        grains.GetGrain<IImplementationGrain>(ImplementationValidation.Key(roundId, proposalId));

    private IImplementationDirectoryGrain Directory => grains.GetGrain<IImplementationDirectoryGrain>(IImplementationDirectoryGrain.WardKey);

    public Task<ImplementationPath> PathAsync() => Directory.GetPathAsync();

    /// <summary>
    /// Replaces the status path. A status any record's timeline has used (not only the status it is at now) stays on the path:
    /// removing it would leave past steps without a name on the pages and in records.csv (<c>status-in-use</c>). Renaming is fine.
    /// </summary>
    public async Task<CommandResult<ImplementationPath>> SetPathAsync(Actor admin, ImplementationPath path)
    {
        if (admin.IsAdministrator && ImplementationPath.Validate(path).Count == 0)
        {
            var used = await UsedStatusesMissingFromAsync(path);
            if (used.Count > 0)
            {
                var current = await Directory.GetPathAsync();
                var names = used.Select(id => current.Find(id) is { } s ? $"{s.Name} ({id})" : id);
                return CommandResult<ImplementationPath>.Refused(ImplementationErrorCodes.StatusInUse,
                    [new("statuses", ImplementationErrorCodes.StatusInUse, $"Steps of implementation records used {string.Join(", ", names)}: keep these statuses on the path (you may rename them).")]);
            }
        }

        return await Directory.SetPathAsync(admin, path);
    }

    /// <summary>The statuses some record's timeline has used that <paramref name="path"/> leaves out (ids, ordinal order).</summary>
    public async Task<IReadOnlyList<string>> UsedStatusesMissingFromAsync(ImplementationPath path)
    {
        var records = await Task.WhenAll((await Directory.ListAsync()).Select(s => Grain(s.RoundId, s.ProposalId).GetAsync()));
        return [.. records.OfType<ImplementationRecord>().SelectMany(r => r.Steps.Select(step => step.StatusId)).Distinct(StringComparer.Ordinal)
            .Where(id => id != ImplementationPath.NotPursued && (path.Statuses ?? []).All(s => s?.Id != id))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The departments a step may name (the ward's configured list).</summary>
    public IReadOnlyList<string> Departments() => options.Value.DepartmentList;

    /// <summary>
    /// The statuses the ward-wide list's <c>status</c> filter takes: the ward's path, 見送り, and any status a record is at
    /// (so no record is ever out of reach of the filter).
    /// </summary>
    public async Task<IReadOnlyList<string>> FilterStatusesAsync() =>
        [.. ((await PathAsync()).Statuses ?? []).OfType<ImplementationStatus>().Select(s => s.Id).Append(ImplementationPath.NotPursued).Concat((await Directory.ListAsync()).Select(s => s.StatusId))];

    /// <summary>The categories the <c>category</c> filter takes: the ward's, and any a record holds (a round may have its own).</summary>
    public async Task<IReadOnlyList<string>> FilterCategoriesAsync() =>
        [.. ScreeningSetup.WardDefaults.Categories.Select(c => c.Id).Concat((await Directory.ListAsync()).Select(s => s.Category).Where(c => c.Length > 0))];

    /// <summary>The departments the <c>department</c> filter takes: the ward's list, and any a record names (one since taken off the list too).</summary>
    public async Task<IReadOnlyList<string>> FilterDepartmentsAsync() =>
        [.. Departments().Concat((await Directory.ListAsync()).Select(s => s.Department).Where(d => d.Length > 0))];

    public async Task<IReadOnlyList<ImplementationSummary>> ListAsync(ImplementationFilter filter) =>
        [.. (await Directory.ListAsync()).Where(filter.Matches)];

    /// <summary>
    /// The record of an adopted proposal, or null. Opened on first read when the published results adopt it (rounds
    /// published before records existed); a proposal that is not adopted never touches a record grain.
    /// </summary>
    public async Task<ImplementationRecord?> GetAsync(string roundId, string proposalId)
    {
        if (!ProposalService.ValidIds(roundId, proposalId) || !await rounds.ExistsAsync(roundId) || !await IsAdoptedAsync(roundId, proposalId))
        {
            return null;
        }

        var grain = Grain(roundId, proposalId);
        return await grain.GetAsync() ?? (await grain.OpenAsync()).Value;
    }

    private async Task<bool> IsAdoptedAsync(string roundId, string proposalId)
    {
        var view = await grains.GetGrain<IResultsGrain>(roundId).GetAsync();
        return AdoptedIds(view).Contains(proposalId);
    }

    private static IReadOnlyList<string> AdoptedIds(ResultsView view) =>
        view is { IsPublished: true, Adoption: { } adoption }
            ? [.. view.Certified!.Table.Proposals.Where(p => adoption.Adopted.Contains(p.BallotNumber)).Select(p => p.ProposalId)]
            : [];

    /// <summary>Opens the records of a round's adopted proposals (at publication): each proposer is told their proposal was adopted.</summary>
    public static async Task OpenAdoptedAsync(IGrainFactory grains, ResultsView view)
    {
        foreach (var proposalId in AdoptedIds(view))
        {
            await grains.GetGrain<IImplementationGrain>(ImplementationValidation.Key(view.RoundId, proposalId)).OpenAsync();
        }
    }

    private async Task<CommandResult<ImplementationRecord>> IfExistsAsync(string roundId, string proposalId, Func<IImplementationGrain, Task<CommandResult<ImplementationRecord>>> command) =>
        await GetAsync(roundId, proposalId) is null
            ? CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.NotFound, "This proposal has no implementation record (only adopted proposals of published results do).")
            : await command(Grain(roundId, proposalId));

    public Task<CommandResult<ImplementationRecord>> SetStatusAsync(string roundId, string proposalId, Actor actor, string requestId, StatusChange change) =>
        IfExistsAsync(roundId, proposalId, g => g.SetStatusAsync(actor, requestId, change));

    public Task<CommandResult<ImplementationRecord>> SetDetailsAsync(string roundId, string proposalId, Actor actor, string requestId, ImplementationDetails details) =>
        IfExistsAsync(roundId, proposalId, g => g.SetDetailsAsync(actor, requestId, details));

    public Task<CommandResult<ImplementationRecord>> SetIndicatorAsync(string roundId, string proposalId, Actor actor, string requestId, IndicatorDefinition indicator) =>
        IfExistsAsync(roundId, proposalId, g => g.SetIndicatorAsync(actor, requestId, indicator));

    /// <summary>Records an actual; a date already recorded is refused (<c>actual-exists</c>) unless <paramref name="replace"/>.</summary>
    public Task<CommandResult<ImplementationRecord>> RecordActualAsync(string roundId, string proposalId, Actor actor, string requestId, string indicatorId, IndicatorActual actual,
        bool replace = false) =>
        IfExistsAsync(roundId, proposalId, g => g.RecordActualAsync(actor, requestId, indicatorId, actual, replace));

    public Task<CommandResult<ImplementationRecord>> DeleteIndicatorAsync(string roundId, string proposalId, Actor actor, string requestId, string indicatorId) =>
        IfExistsAsync(roundId, proposalId, g => g.DeleteIndicatorAsync(actor, requestId, indicatorId));

    public Task<CommandResult<ImplementationRecord>> DeleteActualAsync(string roundId, string proposalId, Actor actor, string requestId, string indicatorId, DateOnly date) =>
        IfExistsAsync(roundId, proposalId, g => g.DeleteActualAsync(actor, requestId, indicatorId, date));

    public Task<CommandResult<ImplementationRecord>> WithdrawStepAsync(string roundId, string proposalId, Actor admin, string requestId, int seq, string reason) =>
        IfExistsAsync(roundId, proposalId, g => g.WithdrawStepAsync(admin, requestId, seq, reason));

    public Task<CommandResult<ImplementationRecord>> SetAdoptedOnAsync(string roundId, string proposalId, Actor admin, string requestId, DateOnly date) =>
        IfExistsAsync(roundId, proposalId, g => g.SetAdoptedOnAsync(admin, requestId, date));

    public Task<CommandResult<ImplementationRecord>> AssignAsync(string roundId, string proposalId, Actor admin, string requestId, IReadOnlyList<ImplementationAssignee> assignees) =>
        IfExistsAsync(roundId, proposalId, g => g.AssignAsync(admin, requestId, assignees));

    /// <summary>May this person change the record (administrators, or department staff assigned to it)?</summary>
    public static bool MayEdit(ImplementationRecord record, Actor actor) =>
        actor.IsAdministrator || (actor.IsDepartment && record.Assignees.Any(a => a.Sub == actor.Sub));

    /// <summary>
    /// "Tell me when the results are out" for a round: <paramref name="on"/> true subscribes, false unsubscribes, null reads.
    /// Only people who could vote in the round (on its register, of age by its last day of voting: the rule of 「満足度」,
    /// <see cref="RoundVoters"/>) may subscribe; anyone may read or stop. Null when there is no such round.
    /// </summary>
    public async Task<ResultsNoticeAnswer?> ResultsNoticeAsync(string roundId, Voter person, bool? on)
    {
        if (!await rounds.ExistsAsync(roundId))
        {
            return null;
        }

        var grain = grains.GetGrain<IResultsNoticeGrain>(roundId);
        switch (on)
        {
            case true:
                return await RoundVoters.RefusalAsync(grains, roundId, person) is { } refusal
                    ? new(await grain.IsSubscribedAsync(person.Subject), refusal)
                    : new(await grain.SubscribeAsync(person.Subject), null);
            case false:
                await grain.UnsubscribeAsync(person.Subject);
                return new(false, null);
            default:
                return new(await grain.IsSubscribedAsync(person.Subject), null);
        }
    }

    /// <summary>Why this person may not ask for the round's "results are out" notice (<c>not-on-register</c>, <c>under-age</c>), or null.</summary>
    public Task<string?> ResultsNoticeRefusalAsync(string roundId, Voter person) => RoundVoters.RefusalAsync(grains, roundId, person);

    // ---- followers ----

    /// <summary>Follows a published proposal; false when there is no such public proposal (or its list is full).</summary>
    public async Task<bool> FollowAsync(string roundId, string proposalId, string sub) =>
        await proposals.GetAsync(roundId, proposalId) is { IsPublic: true }
        && await grains.GetGrain<IProposalFollowersGrain>(ImplementationValidation.Key(roundId, proposalId)).FollowAsync(sub);

    public async Task<bool> UnfollowAsync(string roundId, string proposalId, string sub)
    {
        if (!await proposals.ExistsAsync(roundId, proposalId))
        {
            return false;
        }

        await grains.GetGrain<IProposalFollowersGrain>(ImplementationValidation.Key(roundId, proposalId)).UnfollowAsync(sub);
        return true;
    }

    /// <summary>
    /// Stops the following the email link's token belongs to (no sign-in). A malformed token, or a proposal that does not
    /// exist, is refused (<see cref="ImplementationErrorCodes.FollowTokenInvalid"/>); a well-formed token that matches no
    /// follower stops nothing: <c>Stopped</c> is false, and the stop page says which it was (<see cref="StopLinkStateAsync"/>).
    /// </summary>
    public async Task<(string? Code, bool Stopped)> UnfollowByTokenAsync(string? roundId, string? proposalId, string? token)
    {
        if (!FollowTokens.IsWellFormed(token) || roundId is null || proposalId is null || !await proposals.ExistsAsync(roundId, proposalId))
        {
            return (ImplementationErrorCodes.FollowTokenInvalid, false);
        }

        return (null, await grains.GetGrain<IProposalFollowersGrain>(ImplementationValidation.Key(roundId, proposalId)).UnfollowByTokenAsync(token!));
    }

    /// <summary>Whether the stop link's token still stops a following, already stopped one, or was never issued.</summary>
    public async Task<StopLinkState> StopLinkStateAsync(string roundId, string proposalId, string? token) =>
        FollowTokens.IsWellFormed(token)
            ? await grains.GetGrain<IProposalFollowersGrain>(ImplementationValidation.Key(roundId, proposalId)).StopLinkStateAsync(token!)
            : StopLinkState.Unknown;

    public async Task<bool> IsFollowingAsync(string roundId, string proposalId, string sub) =>
        await proposals.ExistsAsync(roundId, proposalId)
        && await grains.GetGrain<IProposalFollowersGrain>(ImplementationValidation.Key(roundId, proposalId)).IsFollowingAsync(sub);
}
