using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Screening;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Implementation;

/// <summary>One status of the path an adopted proposal takes to implementation (e.g. 予算化検討).</summary>
[GenerateSerializer, Immutable, Alias("civic.implementation-status")]
public sealed record ImplementationStatus(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string NameEn);

/// <summary>
/// The ward's status path (configurable by administrators): the statuses in order, and 見送り (not pursued) beside
/// them, which every record may take with a public reason.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.implementation-path")]
public sealed record ImplementationPath(
    [property: Id(0)] IReadOnlyList<ImplementationStatus> Statuses)
{
    public const string Adopted = "adopted";
    public const string NotPursued = "not-pursued";
    public const int MaxStatuses = 12;

    public static ImplementationStatus NotPursuedStatus { get; } = new(NotPursued, "見送り", "Not pursued");

    /// <summary>As the 2024 winners went: adoption, budget consideration, the assembly's debate, the budget, implementation, evaluation.</summary>
    public static ImplementationPath WardDefaults { get; } = new(
    [
        new(Adopted, "採用", "Adopted"),
        new("budget-consideration", "予算化検討", "Budget under consideration"),
        new("budget-debate", "予算案審議", "Draft budget before the assembly"),
        new("budget-passed", "予算成立", "Budget passed"),
        new("in-progress", "実施中", "Being implemented"),
        new("implemented", "実施済", "Implemented"),
        new("evaluated", "効果検証", "Effects evaluated"),
    ]);

    /// <summary>The path as the editor page shows it: one status a line, <c>id | 日本語名 | English name</c>.</summary>
    public string ToLines() => string.Join("\n", Statuses.Select(s => $"{s.Id} | {s.Name} | {s.NameEn}"));

    /// <summary>Reads <see cref="ToLines"/> text (blank lines skipped, CR LF or LF); checking is <see cref="Validate"/>'s.</summary>
    public static ImplementationPath FromLines(string? text) => new(
        [.. (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)
            .Select(l => l.Split('|').Select(p => p.Trim()).ToArray())
            .Select(p => new ImplementationStatus(p.ElementAtOrDefault(0) ?? "", p.ElementAtOrDefault(1) ?? "", p.ElementAtOrDefault(2) ?? ""))]);

    public ImplementationStatus? Find(string? id) =>
        id == NotPursued ? NotPursuedStatus : Statuses.FirstOrDefault(s => s.Id == id);

    /// <summary>
    /// Which step of the path a status is, 1..count (見送り and unknown statuses: null). Pages show progress as this step "of"
    /// the count, text and bar alike (a bar of value step, max count, whose value text is the same words), never as a bare
    /// percentage (step 5 of 7 is <see cref="Progress"/> 67 %, and step 1 is 0 %, which read as different figures).
    /// </summary>
    public int? Step(string statusId)
    {
        var index = Statuses.ToList().FindIndex(s => s.Id == statusId);
        return index < 0 ? null : index + 1;
    }

    /// <summary>
    /// How far along the path a status is, 0..100 from 採用 (見送り and unknown statuses: null): the <c>progress</c> of the API's
    /// summaries and the open data. Pages do not show it: their text and bar are <see cref="Step"/> of the count.
    /// </summary>
    public int? Progress(string statusId)
    {
        var index = Statuses.ToList().FindIndex(s => s.Id == statusId);
        return index < 0 ? null : Statuses.Count == 1 ? 100 : (int)Math.Round(100.0 * index / (Statuses.Count - 1));
    }

    /// <summary>
    /// Where a record may go from <paramref name="currentId"/>: only forward along the path (a later status), and to 見送り from any
    /// status before 実施済 (<c>implemented</c>; on a path without it, before the last status). Nothing follows 見送り. So no record
    /// ever goes back to 採用, and its adoption notice is sent once.
    /// </summary>
    public bool MayMove(string currentId, string nextId)
    {
        var statuses = Statuses.ToList();
        var from = statuses.FindIndex(s => s.Id == currentId);
        if (currentId == NotPursued || from < 0)
        {
            return false;
        }

        if (nextId == NotPursued)
        {
            var implemented = statuses.FindIndex(s => s.Id == "implemented");
            return from < (implemented >= 0 ? implemented : statuses.Count - 1);
        }

        return statuses.FindIndex(s => s.Id == nextId) > from;
    }

    /// <summary>The statuses a record may move to next (見送り last, when allowed).</summary>
    public IReadOnlyList<ImplementationStatus> NextFrom(string currentId) =>
        [.. Statuses.Append(NotPursuedStatus).Where(s => MayMove(currentId, s.Id))];

    public static IReadOnlyList<ValidationError> Validate(ImplementationPath? path)
    {
        if (path?.Statuses is not { Count: > 0 } statuses || statuses.Count > MaxStatuses)
        {
            return [new("statuses", ImplementationErrorCodes.InvalidPath, $"A path has 1 to {MaxStatuses} statuses.")];
        }

        var errors = new List<ValidationError>();
        for (var i = 0; i < statuses.Count; i++)
        {
            var s = statuses[i];
            if (s is null || !ImplementationValidation.IsValidId(s.Id) || s.Id == NotPursued
                || string.IsNullOrWhiteSpace(s.Name) || s.Name.Length > 40 || string.IsNullOrWhiteSpace(s.NameEn) || s.NameEn.Length > 60)
            {
                errors.Add(new($"statuses[{i}]", ImplementationErrorCodes.InvalidPath,
                    $"Each status has an id (lower-case letters, digits, hyphens; not \"{NotPursued}\"), a Japanese name (≤40) and an English name (≤60)."));
            }
        }

        if (statuses.Where(s => s is not null).Select(s => s.Id).Distinct().Count() != statuses.Count)
        {
            errors.Add(new("statuses", ImplementationErrorCodes.InvalidPath, "Status ids are distinct."));
        }

        if (statuses.Count > 0 && statuses[0]?.Id != Adopted)
        {
            errors.Add(new("statuses[0]", ImplementationErrorCodes.InvalidPath, $"The path starts with \"{Adopted}\": a record opens when its proposal is adopted."));
        }

        return errors;
    }
}

/// <summary>One step of the record's public timeline: the status it reached, the date, a public note and the department responsible.</summary>
[GenerateSerializer, Immutable, Alias("civic.implementation-step")]
public sealed record ImplementationStep(
    [property: Id(0)] int Seq,
    [property: Id(1)] string StatusId,
    [property: Id(2)] DateOnly Date,
    [property: Id(3)] string Note,
    [property: Id(4)] string? NoteEn,
    [property: Id(5)] string Department,
    [property: Id(6)] DateTimeOffset RecordedAt);

/// <summary>A public link (budget document, ward page): shown as a text link, http or https only.</summary>
[GenerateSerializer, Immutable, Alias("civic.implementation-link")]
public sealed record ImplementationLink(
    [property: Id(0)] string Title,
    [property: Id(1)] string Url);

/// <summary>One measured value of an indicator on a date (e.g. procedures with electronic notices at the end of a quarter).</summary>
[GenerateSerializer, Immutable, Alias("civic.indicator-actual")]
public sealed record IndicatorActual(
    [property: Id(0)] DateOnly Date,
    [property: Id(1)] decimal Value,
    [property: Id(2)] string? Note);

/// <summary>An indicator of the ward's own (e.g. 電子化実施手続数): its unit, target and dated actuals, oldest first.</summary>
[GenerateSerializer, Immutable, Alias("civic.indicator")]
public sealed record Indicator(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? NameEn,
    [property: Id(3)] string Unit,
    [property: Id(4)] string? UnitEn,
    [property: Id(5)] decimal Target,
    [property: Id(6)] DateOnly? TargetDate,
    [property: Id(7)] IReadOnlyList<IndicatorActual> Actuals)
{
    public IndicatorActual? Latest => Actuals.Count == 0 ? null : Actuals[^1];

    /// <summary>The latest actual as a share of the target, 0..100 (capped); null without actuals or with a zero target.</summary>
    public int? Progress => Latest is null || Target <= 0 ? null : (int)Math.Clamp(Math.Round(Latest.Value / Target * 100), 0, 100);
}

/// <summary>A member of department staff assigned to keep a record.</summary>
[GenerateSerializer, Immutable, Alias("civic.implementation-assignee")]
public sealed record ImplementationAssignee(
    [property: Id(0)] string Sub,
    [property: Id(1)] string Name);

/// <summary>The public record of one adopted proposal's way to implementation. Assignees are staff-only (see <see cref="ForPublic"/>).</summary>
[GenerateSerializer, Immutable, Alias("civic.implementation-record")]
public sealed record ImplementationRecord(
    [property: Id(0)] string RoundId,
    [property: Id(1)] string ProposalId,
    [property: Id(2)] string Title,
    [property: Id(3)] string? TitleEn,
    [property: Id(4)] string Category,
    [property: Id(5)] DateOnly AdoptedOn,
    [property: Id(6)] IReadOnlyList<ImplementationStep> Steps,
    [property: Id(7)] long? BudgetYen,
    [property: Id(8)] IReadOnlyList<ImplementationLink> Links,
    [property: Id(9)] IReadOnlyList<Indicator> Indicators,
    [property: Id(10)] IReadOnlyList<ImplementationAssignee> Assignees,
    [property: Id(11)] int Version,
    [property: Id(12)] DateTimeOffset UpdatedAt)
{
    public ImplementationStep Current => Steps[^1];

    /// <summary>The Japanese fiscal year (April to March) of the adoption: the "year" the ward's lists go by.</summary>
    public int FiscalYear => ImplementationValidation.FiscalYear(AdoptedOn);

    public string Department => Steps.LastOrDefault(s => s.Department.Length > 0)?.Department ?? "";

    public ImplementationRecord ForPublic() => this with { Assignees = [] };

    public ImplementationSummary Summary(ImplementationPath path) => new(RoundId, ProposalId, Title, TitleEn, Category, FiscalYear,
        Current.StatusId, Current.Date, Department, path.Progress(Current.StatusId), UpdatedAt);
}

/// <summary>One line of the ward-wide list (the 見える化 of every adopted proposal).</summary>
[GenerateSerializer, Immutable, Alias("civic.implementation-summary")]
public sealed record ImplementationSummary(
    [property: Id(0)] string RoundId,
    [property: Id(1)] string ProposalId,
    [property: Id(2)] string Title,
    [property: Id(3)] string? TitleEn,
    [property: Id(4)] string Category,
    [property: Id(5)] int FiscalYear,
    [property: Id(6)] string StatusId,
    [property: Id(7)] DateOnly StatusDate,
    [property: Id(8)] string Department,
    [property: Id(9)] int? Progress,
    [property: Id(10)] DateTimeOffset UpdatedAt);

[GenerateSerializer, Immutable, Alias("civic.implementation-status-change")]
public sealed record StatusChange(
    [property: Id(0)] string StatusId,
    [property: Id(1)] DateOnly Date,
    [property: Id(2)] string? Note,
    [property: Id(3)] string? NoteEn,
    [property: Id(4)] string? Department);

[GenerateSerializer, Immutable, Alias("civic.implementation-details")]
public sealed record ImplementationDetails(
    [property: Id(0)] long? BudgetYen,
    [property: Id(1)] IReadOnlyList<ImplementationLink> Links);

/// <summary>An indicator's definition, without its actuals (set separately, one dated value at a time).</summary>
[GenerateSerializer, Immutable, Alias("civic.indicator-definition")]
public sealed record IndicatorDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? NameEn,
    [property: Id(3)] string Unit,
    [property: Id(4)] string? UnitEn,
    [property: Id(5)] decimal Target,
    [property: Id(6)] DateOnly? TargetDate);

public static class ImplementationErrorCodes
{
    public const string NotFound = "implementation-not-found";
    public const string NotAdopted = "not-adopted";
    public const string NotAllowed = "not-assigned";
    public const string InvalidPath = "invalid-path";
    public const string InvalidStatus = "invalid-status";
    public const string ReasonRequired = "reason-required";
    public const string InvalidDate = "invalid-date";
    public const string InvalidText = "invalid-text";
    public const string InvalidLink = "invalid-link";
    public const string InvalidBudget = "invalid-budget";
    public const string InvalidIndicator = "invalid-indicator";
    public const string IndicatorNotFound = "indicator-not-found";
    public const string InvalidRequestId = "invalid-request-id";
    public const string InvalidAssignment = "invalid-assignment";
    public const string TooMany = "too-many";
    public const string StatusInUse = "status-in-use";
    public const string InvalidDepartment = "invalid-department";
    public const string StatusNotForward = "status-not-forward";
    public const string StepNotWithdrawable = "step-not-withdrawable";
    public const string ActualNotFound = "actual-not-found";
    public const string ActualExists = "actual-exists";
    public const string FollowTokenInvalid = "follow-token-invalid";
}

/// <summary>
/// The implementation record of one adopted proposal (key <c>{roundId}:{proposalId}</c>). It exists only once
/// the round's published results adopt the proposal (<see cref="OpenAsync"/> checks the results grain itself).
/// Every change takes a caller-chosen request id: a repeated id changes nothing and answers the record.
/// Changes are made by administrators and by department staff assigned to the record; each is audited.
/// </summary>
[Alias("civic.IImplementationGrain")]
public interface IImplementationGrain : IGrainWithStringKey
{
    /// <summary>Opens the record if the published results adopt the proposal (the first step, 採用, dated the publication); a repeat answers the record.</summary>
    [Alias("open")]
    Task<CommandResult<ImplementationRecord>> OpenAsync();

    [Alias("get"), ReadOnly]
    Task<ImplementationRecord?> GetAsync();

    [Alias("set-status")]
    Task<CommandResult<ImplementationRecord>> SetStatusAsync(Actor actor, string requestId, StatusChange change);

    [Alias("set-details")]
    Task<CommandResult<ImplementationRecord>> SetDetailsAsync(Actor actor, string requestId, ImplementationDetails details);

    /// <summary>Adds an indicator or changes its definition (its actuals stay).</summary>
    [Alias("set-indicator")]
    Task<CommandResult<ImplementationRecord>> SetIndicatorAsync(Actor actor, string requestId, IndicatorDefinition indicator);

    /// <summary>
    /// Records an actual on a date. A date already recorded is refused (<c>actual-exists</c>, naming the value held) unless
    /// <paramref name="replace"/> says to replace it: a second value never silently takes the first one's place.
    /// </summary>
    /// <remarks>
    /// Its own alias since <paramref name="replace"/> was added: the method of "record-actual" took four arguments, and a silo
    /// of that version, in a rolling update, must not be handed a five-argument call under the same name.
    /// </remarks>
    [Alias("record-actual-or-replace")]
    Task<CommandResult<ImplementationRecord>> RecordActualAsync(Actor actor, string requestId, string indicatorId, IndicatorActual actual, bool replace);

    /// <summary>Deletes an indicator with its actuals (pages and open data stop showing it); audited with what it held.</summary>
    [Alias("delete-indicator")]
    Task<CommandResult<ImplementationRecord>> DeleteIndicatorAsync(Actor actor, string requestId, string indicatorId);

    /// <summary>Deletes the actual of an indicator on a date (a wrong entry); audited with the value it had.</summary>
    [Alias("delete-actual")]
    Task<CommandResult<ImplementationRecord>> DeleteActualAsync(Actor actor, string requestId, string indicatorId, DateOnly date);

    /// <summary>
    /// Administrators only: withdraws the latest step (a wrong entry) with a reason. The public timeline no longer shows it; the
    /// audit log keeps it, and the withdrawn step stays in the record's state. The adoption (step 0) cannot be withdrawn.
    /// </summary>
    [Alias("withdraw-step")]
    Task<CommandResult<ImplementationRecord>> WithdrawStepAsync(Actor admin, string requestId, int seq, string reason);

    /// <summary>
    /// Administrators only: the date the ward counts as the adoption (by default the day the results were published here),
    /// corrected when they were published earlier elsewhere, e.g. a round run before the platform. Not after any later step.
    /// </summary>
    [Alias("set-adopted-on")]
    Task<CommandResult<ImplementationRecord>> SetAdoptedOnAsync(Actor admin, string requestId, DateOnly date);

    /// <summary>Administrators only: the department staff who may change the record (the whole list).</summary>
    [Alias("assign")]
    Task<CommandResult<ImplementationRecord>> AssignAsync(Actor admin, string requestId, IReadOnlyList<ImplementationAssignee> assignees);
}

/// <summary>
/// The ward's implementation directory (key <c>ward</c>): the status path and one summary per record, so the
/// ward-wide list reads one grain. ~300 bytes a record: a ward adopts a few proposals a year.
/// </summary>
[Alias("civic.IImplementationDirectoryGrain")]
public interface IImplementationDirectoryGrain : IGrainWithStringKey
{
    public const string WardKey = "ward";

    [Alias("get-path"), AlwaysInterleave]
    Task<ImplementationPath> GetPathAsync();

    /// <summary>Administrators only. Statuses records have already reached must stay on the path.</summary>
    [Alias("set-path")]
    Task<CommandResult<ImplementationPath>> SetPathAsync(Actor admin, ImplementationPath path);

    [Alias("upsert")]
    Task UpsertAsync(ImplementationSummary summary);

    [Alias("list"), ReadOnly]
    Task<IReadOnlyList<ImplementationSummary>> ListAsync();
}

/// <summary>
/// The departments a step may name as responsible: the ward configures them (<c>Implementation:Departments</c>, one entry a
/// department); without configuration these defaults, Chiyoda City's departments and sections that keep DX items.
/// </summary>
public static class ImplementationDepartments
{
    public const string ConfigurationSection = "Implementation";

    public static IReadOnlyList<string> WardDefaults { get; } =
    [
        "政策経営部 企画課",
        "政策経営部 DX戦略課",
        "政策経営部 財政課",
        "政策経営部 広報広聴課",
        "総務部 総務課",
        "地域振興部 コミュニティ総務課",
        "地域振興部 区民課",
        "保健福祉部 福祉総務課",
        "子ども部 子ども総務課",
        "環境まちづくり部 環境政策課",
        "環境まちづくり部 道路公園課",
        "教育委員会 学務課",
        "教育委員会 指導課",
    ];

    /// <summary>The English names of <see cref="WardDefaults"/>, for English pages (a department the ward adds names its own in <see cref="ImplementationOptions.DepartmentsEn"/>).</summary>
    public static IReadOnlyDictionary<string, string> WardDefaultsEn { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["政策経営部 企画課"] = "Policy and Management Department, Planning Section",
        ["政策経営部 DX戦略課"] = "Policy and Management Department, DX Strategy Section",
        ["政策経営部 財政課"] = "Policy and Management Department, Finance Section",
        ["政策経営部 広報広聴課"] = "Policy and Management Department, Public Relations and Public Hearing Section",
        ["総務部 総務課"] = "General Affairs Department, General Affairs Section",
        ["地域振興部 コミュニティ総務課"] = "Community Development Department, Community Affairs Section",
        ["地域振興部 区民課"] = "Community Development Department, Residents Section",
        ["保健福祉部 福祉総務課"] = "Health and Welfare Department, Welfare Affairs Section",
        ["子ども部 子ども総務課"] = "Children's Department, Children's Affairs Section",
        ["環境まちづくり部 環境政策課"] = "Environment and Urban Development Department, Environmental Policy Section",
        ["環境まちづくり部 道路公園課"] = "Environment and Urban Development Department, Roads and Parks Section",
        ["教育委員会 学務課"] = "Board of Education, School Affairs Section",
        ["教育委員会 指導課"] = "Board of Education, Curriculum and Instruction Section",
    };
}

/// <summary>Settings of implementation records (section <c>Implementation</c>).</summary>
public sealed class ImplementationOptions
{
    /// <summary>The ward's departments, as configured (empty: <see cref="ImplementationDepartments.WardDefaults"/>).</summary>
    public List<string> Departments { get; set; } = [];

    /// <summary>
    /// English names of departments, keyed by the Japanese name (<c>Implementation:DepartmentsEn:{name}</c>); the ward's
    /// defaults are known without configuration. A department without one shows in Japanese on English pages.
    /// </summary>
    public Dictionary<string, string> DepartmentsEn { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The English name of <paramref name="department"/>, or null when none is known.</summary>
    public string? EnglishName(string department) =>
        DepartmentsEn.TryGetValue(department, out var configured) && !string.IsNullOrWhiteSpace(configured) ? configured.Trim()
        : ImplementationDepartments.WardDefaultsEn.GetValueOrDefault(department);

    public IReadOnlyList<string> DepartmentList =>
        Departments.Select(d => d?.Trim() ?? "").Where(d => d.Length is > 0 and <= ImplementationValidation.DepartmentMaxLength).Distinct(StringComparer.Ordinal).ToList() is { Count: > 0 } list
            ? list
            : ImplementationDepartments.WardDefaults;
}

public static class ImplementationValidation
{
    public const int NoteMaxLength = 1000;
    public const int DepartmentMaxLength = 100;
    public const int MaxLinks = 10;
    public const int MaxIndicators = 10;
    public const int MaxActuals = 120;
    public const int MaxSteps = 100;
    public const int MaxAssignees = 20;

    public static string Key(string roundId, string proposalId) => $"{roundId}:{proposalId}";

    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= 40 } && id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') && id[0] != '-';

    public static bool IsValidRequestId(string? id) => id is { Length: > 0 and <= RememberedRequests.MaxRequestIdLength } && !id.Any(char.IsControl);

    public static int FiscalYear(DateOnly date) => date.Month >= 4 ? date.Year : date.Year - 1;

    public static bool IsValidDate(DateOnly date) => date.Year is >= 2000 and <= 2099;

    /// <summary>An absolute http or https address without credentials: anything else (javascript:, data:, relative) is refused.</summary>
    public static bool IsValidUrl(string? url) =>
        url is { Length: > 0 and <= 500 } && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.UserInfo.Length == 0 && !string.IsNullOrEmpty(uri.Host) && !url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c));

    public static IReadOnlyList<ValidationError> Validate(ImplementationDetails? details)
    {
        var errors = new List<ValidationError>();
        if (details is null)
        {
            return [new("", ImplementationErrorCodes.InvalidLink, "The details are required.")];
        }

        if (details.BudgetYen is < 0 or > 1_000_000_000_000)
        {
            errors.Add(new("budgetYen", ImplementationErrorCodes.InvalidBudget, "The budget is a whole number of yen from 0 to 1,000,000,000,000."));
        }

        var links = details.Links ?? [];
        if (links.Count > MaxLinks)
        {
            errors.Add(new("links", ImplementationErrorCodes.TooMany, $"At most {MaxLinks} links."));
        }

        for (var i = 0; i < links.Count; i++)
        {
            if (links[i] is not { } link || string.IsNullOrWhiteSpace(link.Title) || link.Title.Trim().Length > 100)
            {
                errors.Add(new($"links[{i}].title", ImplementationErrorCodes.InvalidLink, "Each link needs a title of at most 100 characters."));
            }

            if (!IsValidUrl(links[i]?.Url?.Trim()))
            {
                errors.Add(new($"links[{i}].url", ImplementationErrorCodes.InvalidLink, "A link is a full http:// or https:// address of at most 500 characters."));
            }
        }

        return errors;
    }

    public static IReadOnlyList<ValidationError> Validate(IndicatorDefinition? indicator)
    {
        var errors = new List<ValidationError>();
        if (indicator is null || !IsValidId(indicator.Id))
        {
            errors.Add(new("id", ImplementationErrorCodes.InvalidIndicator, "An indicator id is 1-40 lower-case letters, digits and hyphens."));
        }

        if (string.IsNullOrWhiteSpace(indicator?.Name) || indicator.Name.Trim().Length > 60 || indicator.NameEn?.Trim().Length > 100)
        {
            errors.Add(new("name", ImplementationErrorCodes.InvalidIndicator, "An indicator needs a name of at most 60 characters (English: 100)."));
        }

        if (string.IsNullOrWhiteSpace(indicator?.Unit) || indicator.Unit.Trim().Length > 20 || indicator.UnitEn?.Trim().Length > 40)
        {
            errors.Add(new("unit", ImplementationErrorCodes.InvalidIndicator, "An indicator needs a unit of at most 20 characters (English: 40)."));
        }

        if (indicator is not null && (indicator.Target <= 0 || indicator.Target > 1_000_000_000))
        {
            errors.Add(new("target", ImplementationErrorCodes.InvalidIndicator, "The target is a number above 0 and at most 1,000,000,000."));
        }

        if (ImplementationDates.Target(indicator?.TargetDate) is { } issue)
        {
            errors.Add(issue.Error);
        }

        return errors;
    }
}

/// <summary>
/// The residents who follow one published proposal (key <c>{roundId}:{proposalId}</c>): they get the same notices
/// as its proposer once it is adopted. Only subs are kept, never anything about how anyone voted.
/// </summary>
[Alias("civic.IProposalFollowersGrain")]
public interface IProposalFollowersGrain : IGrainWithStringKey
{
    public const int MaxFollowers = 5_000;

    /// <summary>False when the list is full.</summary>
    [Alias("follow")]
    Task<bool> FollowAsync(string sub);

    [Alias("unfollow")]
    Task UnfollowAsync(string sub);

    [Alias("is-following"), ReadOnly]
    Task<bool> IsFollowingAsync(string sub);

    [Alias("list"), ReadOnly]
    Task<IReadOnlyList<string>> ListAsync();

    /// <summary>
    /// Every follower with their stop token (<see cref="FollowTokens"/>), for the notices' emails; a follower from before
    /// tokens existed is given one here (stored before it is handed out).
    /// </summary>
    [Alias("recipients")]
    Task<IReadOnlyList<ProposalFollower>> RecipientsAsync();

    /// <summary>
    /// Stops the following the token belongs to (the link in a notice's email; no sign-in). False when no follower has it:
    /// already stopped, or never issued. Following again makes a new token, so an old link stops nothing.
    /// </summary>
    [Alias("unfollow-by-token")]
    Task<bool> UnfollowByTokenAsync(string token);

    /// <summary>Whether the token still stops a following, stopped one already, or was never issued (the stop page, before its button).</summary>
    [Alias("stop-link-state"), ReadOnly]
    Task<Notifications.StopLinkState> StopLinkStateAsync(string token);
}

/// <summary>One follower of a proposal and the token of the stop link in their notices' emails.</summary>
[GenerateSerializer, Immutable, Alias("civic.proposal-follower")]
public sealed record ProposalFollower(
    [property: Id(0)] string Sub,
    [property: Id(1)] string Token);

/// <summary>
/// The stop link's token of one follower of one proposal: 128 random bits in lowercase hex, made when they follow and kept
/// only with the follower list. It names nobody; whoever holds it (the recipient of the email) may stop that one following.
/// </summary>
public static class FollowTokens
{
    public static string New() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public static bool IsWellFormed(string? token) => token is { Length: 32 } && token.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    public static bool Same(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(a), System.Text.Encoding.ASCII.GetBytes(b));
}

/// <summary>Which date of a record a date problem is about.</summary>
public enum RecordDate
{
    Step,
    Actual,
    Target,
    Adoption,
}

/// <summary>What is wrong with a date.</summary>
public enum DateProblem
{
    Missing,
    OutOfRange,
    BeforeAdoption,
    InFuture,
    BeforePreviousStep,
    AfterPublication,
    AfterLaterStep,
}

/// <summary>
/// One date refused, saying which date and what is wrong with it, in English (the API's message) and in Japanese (the pages').
/// The grain refuses with <see cref="Error"/>; the editor page runs the same checks first to show the Japanese words.
/// </summary>
public sealed record DateIssue(RecordDate Of, DateProblem Problem, DateOnly? Date, DateOnly? Bound)
{
    public string Field => Of == RecordDate.Target ? "targetDate" : "date";

    public ValidationError Error => new(Field, ImplementationErrorCodes.InvalidDate, Message(english: true));

    public string Message(bool english)
    {
        var (what, whatJa) = Of switch
        {
            RecordDate.Step => ("The step's date", "段階の日付"),
            RecordDate.Actual => ("The actual's date", "実績の日付"),
            RecordDate.Target => ("The target date", "目標の期日"),
            _ => ("The adoption date", "採用日"),
        };
        var date = Date is { } d ? $" ({d:yyyy-MM-dd})" : "";
        var dateJa = Date is { } j ? $"（{Ja(j)}）" : "";
        var bound = Bound is { } b ? b.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : "";
        var boundJa = Bound is { } bj ? Ja(bj) : "";
        return english
            ? Problem switch
            {
                DateProblem.Missing => $"{what} is required (yyyy-MM-dd).",
                DateProblem.OutOfRange => $"{what}{date} is not between 2000-01-01 and 2099-12-31.",
                DateProblem.BeforeAdoption => $"{what}{date} is before the adoption ({bound}): it must be on or after it.",
                DateProblem.InFuture => Of == RecordDate.Actual
                    ? $"{what}{date} is in the future: today is {bound} (ward time). Record an actual once it has been measured."
                    : $"{what}{date} is in the future: today is {bound} (ward time). Record a step once it has happened.",
                DateProblem.BeforePreviousStep => $"{what}{date} is before the previous step ({bound}): the timeline runs forward.",
                DateProblem.AfterPublication => $"{what}{date} is after the publication of the results here ({bound}): it can only be moved earlier.",
                _ => $"{what}{date} is after a later step ({bound}): the adoption comes first.",
            }
            : Problem switch
            {
                DateProblem.Missing => $"{whatJa}を入力してください。",
                DateProblem.OutOfRange => $"{whatJa}{dateJa}は2000年1月1日から2099年12月31日までの日付にしてください。",
                DateProblem.BeforeAdoption => $"{whatJa}{dateJa}が採用日（{boundJa}）より前です。採用日以降の日付にしてください。",
                DateProblem.InFuture => Of == RecordDate.Actual
                    ? $"{whatJa}{dateJa}が未来の日付です（今日は{boundJa}）。測った後に記録してください。"
                    : $"{whatJa}{dateJa}が未来の日付です（今日は{boundJa}）。その段階になってから記録してください。",
                DateProblem.BeforePreviousStep => $"{whatJa}{dateJa}が前の段階の日付（{boundJa}）より前です。前の段階の日付以降にしてください。",
                DateProblem.AfterPublication => $"{whatJa}{dateJa}がこのサイトでの結果の公表日（{boundJa}）より後です。採用日は早めることだけができます。",
                _ => $"{whatJa}{dateJa}が後の段階の日付（{boundJa}）より後です。採用日は最初の段階より前にしてください。",
            };
    }

    private static string Ja(DateOnly d) => $"{d.Year}年{d.Month}月{d.Day}日";
}

/// <summary>The date rules of a record, one place for the grain and the editor page.</summary>
public static class ImplementationDates
{
    /// <summary>A step: on or after the adoption and the previous step, never after today (ward time).</summary>
    public static DateIssue? Step(DateOnly? date, DateOnly adoptedOn, DateOnly previous, DateOnly today) =>
        date is not { } d ? new(RecordDate.Step, DateProblem.Missing, null, null)
        : !ImplementationValidation.IsValidDate(d) ? new(RecordDate.Step, DateProblem.OutOfRange, d, null)
        : d < adoptedOn ? new(RecordDate.Step, DateProblem.BeforeAdoption, d, adoptedOn)
        : d > today ? new(RecordDate.Step, DateProblem.InFuture, d, today)
        : d < previous ? new(RecordDate.Step, DateProblem.BeforePreviousStep, d, previous)
        : null;

    /// <summary>An actual: measured on or after the adoption, and never after today (a future actual would drive the public progress).</summary>
    public static DateIssue? Actual(DateOnly? date, DateOnly adoptedOn, DateOnly today) =>
        date is not { } d ? new(RecordDate.Actual, DateProblem.Missing, null, null)
        : !ImplementationValidation.IsValidDate(d) ? new(RecordDate.Actual, DateProblem.OutOfRange, d, null)
        : d < adoptedOn ? new(RecordDate.Actual, DateProblem.BeforeAdoption, d, adoptedOn)
        : d > today ? new(RecordDate.Actual, DateProblem.InFuture, d, today)
        : null;

    /// <summary>A target date (optional, may lie ahead).</summary>
    public static DateIssue? Target(DateOnly? date) =>
        date is { } d && !ImplementationValidation.IsValidDate(d) ? new(RecordDate.Target, DateProblem.OutOfRange, d, null) : null;

    /// <summary>The adoption date an administrator sets: not after the publication here, nor after any later step.</summary>
    public static DateIssue? Adoption(DateOnly date, DateOnly published, DateOnly? firstLaterStep) =>
        !ImplementationValidation.IsValidDate(date) ? new(RecordDate.Adoption, DateProblem.OutOfRange, date, null)
        : date > published ? new(RecordDate.Adoption, DateProblem.AfterPublication, date, published)
        : firstLaterStep is { } later && date > later ? new(RecordDate.Adoption, DateProblem.AfterLaterStep, date, later)
        : null;
}
