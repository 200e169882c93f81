using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Rounds;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Screening;

[GenerateSerializer, Alias("civic.stage-kind")]
public enum StageKind
{
    /// <summary>Eligibility and completeness; passing it publishes the proposal.</summary>
    Intake = 0,
    /// <summary>Scored by criteria with weights.</summary>
    Scored = 1,
    /// <summary>The committee decides; advancing from the last stage selects the proposal for the shortlist.</summary>
    Committee = 2,
}

[GenerateSerializer, Immutable, Alias("civic.criterion")]
public sealed record Criterion(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string NameEn,
    [property: Id(3)] int Weight);

/// <summary>One review stage; <see cref="Number"/> runs 1..N in order.</summary>
[GenerateSerializer, Immutable, Alias("civic.review-stage")]
public sealed record ReviewStage(
    [property: Id(0)] int Number,
    [property: Id(1)] string Name,
    [property: Id(2)] string NameEn,
    [property: Id(3)] StageKind Kind,
    [property: Id(4)] IReadOnlyList<Criterion> Criteria);

[GenerateSerializer, Immutable, Alias("civic.proposal-category")]
public sealed record ProposalCategory(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string NameEn);

/// <summary>How a round screens: its stages and its list of categories.</summary>
[GenerateSerializer, Immutable, Alias("civic.screening-setup")]
public sealed record ScreeningSetup(
    [property: Id(0)] IReadOnlyList<ReviewStage> Stages,
    [property: Id(1)] IReadOnlyList<ProposalCategory> Categories)
{
    public const int ScoreMin = 1;
    public const int ScoreMax = 5;

    /// <summary>As the ward ran it in 2024: intake check, departmental review (scored), screening committee.</summary>
    public static ScreeningSetup WardDefaults { get; } = new(
    [
        new(1, "受付確認（資格・記載内容）", "Intake check (eligibility and completeness)", StageKind.Intake, []),
        new(2, "所管課審査", "Departmental review", StageKind.Scored,
        [
            new("benefit", "区民への効果", "Benefit to residents", 3),
            new("feasibility", "実現可能性", "Feasibility", 2),
            new("cost", "費用", "Cost", 2),
            new("strategy", "DX戦略との整合", "Fit with the digital strategy", 1),
        ]),
        new(3, "審査会", "Screening committee", StageKind.Committee, []),
    ],
    [
        new("children-education", "子育て・教育", "Children and education"),
        new("health-welfare", "健康・福祉", "Health and welfare"),
        new("safety-disaster", "防災・安全", "Safety and disaster readiness"),
        new("community-tourism", "地域・観光", "Community and tourism"),
        new("environment", "環境", "Environment"),
        new("administration", "行政手続き", "Ward services and procedures"),
        new("other", "その他", "Other"),
    ]);

    public ReviewStage? Stage(int number) => Stages.FirstOrDefault(s => s.Number == number);

    public ProposalCategory? Category(string? id) => Categories.FirstOrDefault(c => c.Id == id);

    public static IReadOnlyList<ValidationError> Validate(ScreeningSetup? setup)
    {
        if (setup?.Stages is not { Count: > 0 } stages)
        {
            return [new("stages", RoundErrorCodes.Required, "At least one review stage is required.")];
        }

        var errors = new List<ValidationError>();
        if (stages.Count > 10)
        {
            errors.Add(new("stages", RoundErrorCodes.OutOfRange, "A round has at most 10 stages."));
        }

        if (!stages.Select(s => s.Number).SequenceEqual(Enumerable.Range(1, stages.Count)))
        {
            errors.Add(new("stages.number", "invalid-stage-numbers", "Stages are numbered 1..N in order."));
        }

        for (var i = 0; i < stages.Count; i++)
        {
            var s = stages[i];
            if (string.IsNullOrWhiteSpace(s.Name) || s.Name.Length > 100 || (s.NameEn?.Length ?? 0) > 100)
            {
                errors.Add(new($"stages[{i}].name", RoundErrorCodes.Required, "Each stage needs a name of at most 100 characters."));
            }

            if (s.Kind == StageKind.Scored && (s.Criteria is not { Count: > 0 and <= 12 } criteria
                || criteria.Any(c => string.IsNullOrWhiteSpace(c.Id) || string.IsNullOrWhiteSpace(c.Name) || c.Weight is < 1 or > 10)
                || criteria.Select(c => c.Id).Distinct().Count() != criteria.Count))
            {
                errors.Add(new($"stages[{i}].criteria", "invalid-criteria", "A scored stage has 1 to 12 criteria with distinct ids, names and weights 1 to 10."));
            }
        }

        if (setup.Categories is not { Count: > 0 and <= 50 } categories
            || categories.Any(c => string.IsNullOrWhiteSpace(c.Id) || string.IsNullOrWhiteSpace(c.Name))
            || categories.Select(c => c.Id).Distinct().Count() != categories.Count)
        {
            errors.Add(new("categories", "invalid-categories", "1 to 50 categories with distinct ids and names."));
        }

        return errors;
    }
}

/// <summary>The stages a staff member screens at.</summary>
[GenerateSerializer, Immutable, Alias("civic.screener-assignment")]
public sealed record ScreenerAssignment(
    [property: Id(0)] string ScreenerSub,
    [property: Id(1)] string ScreenerName,
    [property: Id(2)] IReadOnlyList<int> Stages);

[GenerateSerializer, Immutable, Alias("civic.screening-config")]
public sealed record ScreeningConfig(
    [property: Id(0)] ScreeningSetup Setup,
    [property: Id(1)] IReadOnlyList<ScreenerAssignment> Assignments,
    [property: Id(2)] int Version)
{
    public bool IsAssigned(string screenerSub, int stage) =>
        Assignments.Any(a => a.ScreenerSub == screenerSub && a.Stages.Contains(stage));
}

/// <summary>Who does something: the "sub" and "name" claims and what the roles allow.</summary>
[GenerateSerializer, Immutable, Alias("civic.actor")]
public sealed record Actor(
    [property: Id(0)] string Sub,
    [property: Id(1)] string Name,
    [property: Id(2)] bool IsAdministrator = false,
    [property: Id(3)] bool IsScreener = false,
    [property: Id(4)] bool IsDepartment = false);

/// <summary>
/// What a screening command answers: the round's screening as it now stands and, after publishing, the shortlist.
/// Answered inside a <see cref="CommandResult{TValue}"/> whose code says why nothing changed.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.screening-outcome")]
public sealed record ScreeningOutcome(
    [property: Id(0)] ScreeningConfig Config,
    [property: Id(1)] Shortlist? Shortlist = null);

/// <summary>A round's screening: its stages, who screens where, and the step that ends it, the shortlist (key: round id).</summary>
[Alias("civic.IScreeningGrain")]
public interface IScreeningGrain : IGrainWithStringKey
{
    /// <summary>
    /// The stored setup, or the ward's defaults when none has been set. A pure read that interleaves:
    /// the shortlist step calls proposals, which read the setup back while it is running.
    /// </summary>
    [Alias("get-config"), AlwaysInterleave]
    Task<ScreeningConfig> GetConfigAsync();

    /// <summary>Replaces the stages and categories; refused with setup-locked once the call for proposals has closed.</summary>
    [Alias("set-setup")]
    Task<CommandResult<ScreeningOutcome>> SetSetupAsync(Actor admin, ScreeningSetup setup);

    /// <summary>Sets the stages a screener works at (an empty list removes the screener).</summary>
    [Alias("assign-stages")]
    Task<CommandResult<ScreeningOutcome>> AssignStagesAsync(Actor admin, ScreenerAssignment assignment);

    /// <summary>
    /// Ends the committee stage: the selected proposals, in the given order, get ballot numbers 1..N,
    /// the round's shortlist is set and published, the proposals are frozen. Repeating it is harmless.
    /// </summary>
    [Alias("publish-shortlist")]
    Task<CommandResult<ScreeningOutcome>> PublishShortlistAsync(Actor admin, IReadOnlyList<string> proposalIds);
}

public static class ScreeningErrorCodes
{
    public const string InvalidSetup = "invalid-setup";
    public const string SetupLocked = "setup-locked";
    public const string NotSelected = "not-selected";
    public const string InvalidAssignment = "invalid-assignment";
}
