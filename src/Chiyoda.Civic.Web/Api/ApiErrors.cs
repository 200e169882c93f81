using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Comments;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Reminders;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Satisfaction;
using Chiyoda.Civic.Abstractions.Screening;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Chiyoda.Civic.Web.Api;

/// <summary>One error of the API: its stable code, the HTTP status it is always sent with, and a default title.</summary>
public sealed record ApiError(string Code, int Status, string Title);

/// <summary>
/// The API's error catalogue: every stable <c>code</c> a problem response can carry, with the one HTTP status
/// it is sent with, whichever endpoint refuses. Handlers build their refusals here (<see cref="Problem(string, string?, string?, IReadOnlyList{ValidationError}?, IReadOnlyDictionary{string, object?}?)"/>);
/// endpoints declare the codes they may answer (<see cref="ApiErrorExtensions.ProducesErrors{TBuilder}"/>), which the
/// OpenAPI document lists per response.
/// </summary>
public static class ApiErrors
{
    private static readonly Dictionary<string, ApiError> Catalogue = new(StringComparer.Ordinal);

    // Caller and request (any endpoint).
    public static readonly ApiError Unauthenticated = Add("unauthenticated", 401, "Sign in: no valid bearer token was sent.");
    public static readonly ApiError Forbidden = Add("forbidden", 403, "Your role may not do this.");
    public static readonly ApiError InsufficientScope = Add("insufficient-scope", 403, "The bearer token was not granted the civic-api scope.");
    public static readonly ApiError NotFound = Add("not-found", 404, "There is no such API resource.");
    public static readonly ApiError MethodNotAllowed = Add("method-not-allowed", 405, "This resource does not take this method.");
    public static readonly ApiError MalformedRequest = Add("malformed-request", 400, "The request body is not valid JSON of the expected shape.");
    public static readonly ApiError InvalidQuery = Add("invalid-query", 400, "A query parameter has a value it cannot take.");
    public static readonly ApiError InvalidAddress = Add("invalid-address", 400, "The address holds a character or a value it cannot take.");
    public static readonly ApiError BodyTooLarge = Add("body-too-large", 413, "The request body is too large.");
    public static readonly ApiError UnsupportedMediaType = Add("unsupported-media-type", 415, "The request body's media type is not accepted.");
    public static readonly ApiError RateLimited = Add("rate-limited", 429, "Too many requests from this account; wait a moment.");
    public static readonly ApiError HostNotAllowed = Add("host-not-allowed", 400, "The request's Host is not one of this platform's.");
    public static readonly ApiError UriTooLong = Add("uri-too-long", 414, "The address is too long: send a shorter path and query (at most 8 KB).");
    public static readonly ApiError HeadersTooLarge = Add("headers-too-large", 431, "The request's headers are too large (at most 32 KB in all): send fewer or shorter ones.");
    public static readonly ApiError Error = Add("error", 500, "The request failed.");
    public static readonly ApiError TemporarilyUnavailable = Add("temporarily-unavailable", 503,
        "The service is briefly unavailable. Nothing was changed unless you were told so; try again shortly.");

    // Rounds.
    public static readonly ApiError InvalidRoundId = Add(RoundErrorCodes.InvalidRoundId, 400, "Round ids are 1 to 63 lower-case letters, digits and hyphens.");
    public static readonly ApiError InvalidRound = Add(RoundErrorCodes.InvalidRound, 400, "The round is not valid.");
    public static readonly ApiError RoundNotFound = Add(RoundErrorCodes.RoundNotFound, 404, "There is no such round.");
    public static readonly ApiError RoundExists = Add(RoundErrorCodes.RoundExists, 409, "A different round already has this id.");
    public static readonly ApiError RulesLocked = Add(RoundErrorCodes.RulesLocked, 409, "The rules cannot change once voting has opened.");
    public static readonly ApiError VotingOpensLocked = Add(RoundErrorCodes.VotingOpensLocked, 409, "Voting has opened: its opening cannot move.");
    public static readonly ApiError VotingClosed = Add(RoundErrorCodes.VotingClosed, 409, "Voting has closed: the round cannot be reopened.");
    public static readonly ApiError ShortlistLocked = Add(RoundErrorCodes.ShortlistLocked, 409, "The shortlist is published and cannot change.");
    public static readonly ApiError InvalidShortlist = Add(RoundErrorCodes.InvalidShortlist, 400, "The shortlist is not valid.");
    public static readonly ApiError ShortlistNotSet = Add("shortlist-not-set", 404, "The shortlist has not been published yet.");

    // Register.
    public static readonly ApiError NotARegisterFile = Add("not-a-register-file", 400, "The file is not a voter register.");
    public static readonly ApiError RegisterClosed = Add(Register.RegisterFile.FileErrors.VotingClosed, 409, "Voting in this round has closed: its register is final.");
    public static readonly ApiError InvalidLookup = Add("invalid-lookup", 400, "Give nameKana and birthdate (YYYY-MM-DD).");
    public static readonly ApiError FileTooLarge = Add(PaperErrorCodes.FileTooLarge, 413, "The file is too large.");

    // Ballots.
    public static readonly ApiError NotOnRegister = Add(BallotErrorCodes.NotOnRegister, 403, "You are not on this round's voter register.");
    public static readonly ApiError UnderAge = Add(BallotErrorCodes.UnderAge, 403, "You are not yet old enough to vote in this round.");
    public static readonly ApiError WindowNotOpen = Add(BallotErrorCodes.WindowNotOpen, 409, "Voting has not opened yet.");
    public static readonly ApiError WindowClosed = Add(BallotErrorCodes.WindowClosed, 409, "Voting has closed.");
    public static readonly ApiError SupersededByPaper = Add(BallotErrorCodes.SupersededByPaper, 409, "Your paper ballot counts; the online ballot can no longer change.");
    public static readonly ApiError IdempotencyKeyReused = Add(BallotErrorCodes.IdempotencyKeyReused, 422, "This request id (Idempotency-Key) was already used for a different request: send a new one.");
    public static readonly ApiError MissingIdempotencyKey = Add(BallotErrorCodes.MissingIdempotencyKey, 400, "Send an Idempotency-Key header (1 to 100 characters) with every ballot, and the same one when you retry.");
    public static readonly ApiError IdempotencyKeyTooLong = Add("idempotency-key-too-long", 400, "The Idempotency-Key header is too long: send 1 to 100 characters.");
    public static readonly ApiError BallotNotStored = Add(BallotErrorCodes.NotStored, 503, "Your ballot could not be recorded just now and has not been counted.");
    public static readonly ApiError NoChoice = Add(BallotErrorCodes.NoChoice, 400, "The ballot is not valid.");
    public static readonly ApiError TooManyChoices = Add(BallotErrorCodes.TooManyChoices, 400, "The ballot is not valid.");
    public static readonly ApiError DuplicateChoice = Add(BallotErrorCodes.DuplicateChoice, 400, "The ballot is not valid.");
    public static readonly ApiError UnknownProposal = Add(BallotErrorCodes.UnknownProposal, 400, "The ballot is not valid.");

    // Notifications.
    public static readonly ApiError NoticeNotFound = Add("notice-not-found", 404, "There is no such notice in your inbox.");

    // Proposals and screening.
    public static readonly ApiError InvalidProposalId = Add(ProposalErrorCodes.InvalidProposalId, 400, "The proposal id is not valid.");
    public static readonly ApiError InvalidProposal = Add(ProposalErrorCodes.InvalidProposal, 400, "The proposal is not valid.");
    public static readonly ApiError InvalidIntake = Add(ProposalErrorCodes.InvalidIntake, 400, "The intake details are not valid.");
    public static readonly ApiError ProposalNotFound = Add(ProposalErrorCodes.ProposalNotFound, 404, "There is no such proposal.");
    public static readonly ApiError ProposalExists = Add(ProposalErrorCodes.ProposalExists, 409, "A proposal with this id already exists.");
    public static readonly ApiError CallClosed = Add(ProposalErrorCodes.CallClosed, 409, "The call for proposals is closed.");
    public static readonly ApiError ProposalLimit = Add(ProposalErrorCodes.ProposalLimit, 409, "The proposer has reached the round's limit of proposals; drafts and withdrawn proposals count.");
    public static readonly ApiError RoundFull = Add(ProposalErrorCodes.RoundFull, 409, "The round takes no more proposals.");
    public static readonly ApiError NotAuthor = Add(ProposalErrorCodes.NotAuthor, 400, "This is not your proposal.");
    public static readonly ApiError NotEditable = Add(ProposalErrorCodes.NotEditable, 409, "The proposal can no longer be edited.");
    public static readonly ApiError ProposalWithdrawn = Add(ProposalErrorCodes.ProposalWithdrawn, 409, "The proposal was withdrawn.");
    public static readonly ApiError ProposalFrozen = Add(ProposalErrorCodes.ProposalFrozen, 409, "The proposal is frozen.");
    public static readonly ApiError NotUnderReview = Add(ProposalErrorCodes.NotUnderReview, 409, "The proposal is not under review.");
    public static readonly ApiError StageMismatch = Add(ProposalErrorCodes.StageMismatch, 409, "The proposal is at another screening stage.");
    public static readonly ApiError NotAssigned = Add(ProposalErrorCodes.NotAssigned, 403, "You are not assigned to this.");
    public static readonly ApiError NotStaff = Add(ProposalErrorCodes.NotStaff, 403, "Only staff may do this.");
    public static readonly ApiError InvalidScores = Add(ProposalErrorCodes.InvalidScores, 400, "The scores are not valid.");
    public static readonly ApiError ScoresRequired = Add(ProposalErrorCodes.ScoresRequired, 409, "Score every criterion before deciding.");
    public static readonly ApiError MessageRequired = Add(ProposalErrorCodes.MessageRequired, 400, "A message is required.");
    public static readonly ApiError InvalidNote = Add(ProposalErrorCodes.InvalidNote, 400, "The note is not valid.");
    public static readonly ApiError InvalidReason = Add(ProposalErrorCodes.InvalidReason, 400, "A reason is required.");
    public static readonly ApiError NotSelected = Add(ProposalErrorCodes.NotSelected, 409, "The proposal was not selected.");
    public static readonly ApiError Required = Add(ProposalErrorCodes.Required, 400, "A required value is missing.");
    public static readonly ApiError TooLong = Add(ProposalErrorCodes.TooLong, 400, "A value is too long.");
    public static readonly ApiError UnknownCategory = Add(ProposalErrorCodes.UnknownCategory, 400, "The category is not one of the round's.");
    public static readonly ApiError InvalidSetup = Add(ScreeningErrorCodes.InvalidSetup, 400, "The screening setup is not valid.");
    public static readonly ApiError SetupLocked = Add(ScreeningErrorCodes.SetupLocked, 409, "The screening setup can no longer change.");
    public static readonly ApiError InvalidAssignment = Add(ScreeningErrorCodes.InvalidAssignment, 400, "The assignment is not valid.");

    // Paper ballots.
    public static readonly ApiError BatchNotFound = Add(PaperErrorCodes.BatchNotFound, 404, "There is no such paper batch.");
    public static readonly ApiError BatchExists = Add(PaperErrorCodes.BatchExists, 409, "The batch cannot do this now.");
    public static readonly ApiError FacilityNotFound = Add(PaperErrorCodes.FacilityNotFound, 400, "The round has no such facility.");
    public static readonly ApiError InvalidBatch = Add(PaperErrorCodes.InvalidBatch, 400, "The request is not valid.");
    public static readonly ApiError InvalidFacilities = Add(PaperErrorCodes.InvalidFacilities, 400, "The facilities are not valid.");
    public static readonly ApiError BatchCommitted = Add(PaperErrorCodes.BatchCommitted, 409, "The batch cannot do this now.");
    public static readonly ApiError BatchCommitting = Add(PaperErrorCodes.BatchCommitting, 409, "The batch cannot do this now.");
    public static readonly ApiError KeyingsComplete = Add(PaperErrorCodes.KeyingsComplete, 409, "The batch cannot do this now.");
    public static readonly ApiError EmptyKeying = Add(PaperErrorCodes.EmptyKeying, 400, "The request is not valid.");
    public static readonly ApiError TooManyLines = Add(PaperErrorCodes.TooManyLines, 413, "The file is too large.");
    public static readonly ApiError NeedsSecondKeying = Add(PaperErrorCodes.NeedsSecondKeying, 409, "The batch cannot do this now.");
    public static readonly ApiError KeyingsDisagree = Add(PaperErrorCodes.KeyingsDisagree, 409, "The batch cannot do this now.");
    public static readonly ApiError KeyingsTooDifferent = Add(PaperErrorCodes.KeyingsTooDifferent, 409, "The batch cannot do this now.");
    public static readonly ApiError ReconciliationMismatch = Add(PaperErrorCodes.ReconciliationMismatch, 409, "The batch cannot do this now.");
    public static readonly ApiError NoSuchDisagreement = Add(PaperErrorCodes.NoSuchDisagreement, 404, "There is no such disagreement.");
    public static readonly ApiError InvalidResolution = Add(PaperErrorCodes.InvalidResolution, 400, "The request is not valid.");
    public static readonly ApiError NotAPaperBallotFile = Add(PaperErrorCodes.NotAPaperBallotFile, 400, "The file is not a paper-ballot file.");
    public static readonly ApiError CountCertified = Add(PaperBallots.PaperBallotService.CountCertified, 409, "The count is certified: no more paper ballots can be committed.");

    // Counting and results.
    public static readonly ApiError NotClosed = Add(ResultsErrorCodes.NotClosed, 409, "Voting has not closed yet.");
    public static readonly ApiError CountMismatch = Add(ResultsErrorCodes.CountMismatch, 409, "The recount differs from the live tally; the count cannot be certified.");
    public static readonly ApiError NotCertified = Add(ResultsErrorCodes.NotCertified, 409, "The count is not certified yet.");
    public static readonly ApiError AlreadyCertified = Add(ResultsErrorCodes.AlreadyCertified, 409, "The count is already certified.");
    public static readonly ApiError AlreadyPublished = Add(ResultsErrorCodes.AlreadyPublished, 409, "The results are already published.");
    public static readonly ApiError AdoptionTied = Add(ResultsErrorCodes.AdoptionTied, 409, "Proposals are tied at the adoption cut-off; an administrator must decide.");
    public static readonly ApiError InvalidAdoption = Add(ResultsErrorCodes.InvalidAdoption, 400, "The adopted proposals are not valid.");
    public static readonly ApiError PaperCommitting = Add(ResultsErrorCodes.PaperCommitting, 409, "Paper batches holding ballots are not committed yet.");
    public static readonly ApiError ResultsNotPublished = Add(ResultsErrorCodes.NotPublished, 404, "The results of this round are not published yet.");
    public static readonly ApiError NoShortlist = Add(ResultsErrorCodes.NoShortlist, 409, "The round has no shortlist.");
    public static readonly ApiError BallotsPurged = Add(ResultsErrorCodes.BallotsPurged, 409, "The stored ballots were purged; the certified count stands.");
    public static readonly ApiError BallotFileWithheld = Add(RoundResults.OpenDataOptions.BallotFileWithheld, 409,
        "This round counted too few ballots for its per-ballot file to be published: results.csv and the results JSON (/api/v1/rounds/{roundId}/results) hold its totals.");
    public static readonly ApiError VotingNotOpen = Add("voting-not-open", 409, "Voting has not opened yet.");
    public static readonly ApiError OperationNotFound = Add("operation-not-found", 404, "No such count or certification is known here; POST the step again (each step is idempotent).");

    // Implementation records.
    public static readonly ApiError ImplementationNotFound = Add(ImplementationErrorCodes.NotFound, 404, "This proposal has no implementation record (only adopted proposals of published results do).");
    public static readonly ApiError NotAdopted = Add(ImplementationErrorCodes.NotAdopted, 404, "The proposal was not adopted.");
    public static readonly ApiError IndicatorNotFound = Add(ImplementationErrorCodes.IndicatorNotFound, 404, "There is no such indicator.");
    public static readonly ApiError TooMany = Add(ImplementationErrorCodes.TooMany, 409, "Too many items.");
    public static readonly ApiError InvalidPath = Add(ImplementationErrorCodes.InvalidPath, 400, "The status path is not valid.");
    public static readonly ApiError InvalidStatus = Add(ImplementationErrorCodes.InvalidStatus, 400, "The status is not valid.");
    public static readonly ApiError ReasonRequired = Add(ImplementationErrorCodes.ReasonRequired, 400, "A public reason is required.");
    public static readonly ApiError InvalidDate = Add(ImplementationErrorCodes.InvalidDate, 400, "The date is not valid.");
    public static readonly ApiError InvalidText = Add(ImplementationErrorCodes.InvalidText, 400, "A text is not valid.");
    public static readonly ApiError InvalidLink = Add(ImplementationErrorCodes.InvalidLink, 400, "A link is not valid.");
    public static readonly ApiError InvalidBudget = Add(ImplementationErrorCodes.InvalidBudget, 400, "The budget is not valid.");
    public static readonly ApiError InvalidIndicator = Add(ImplementationErrorCodes.InvalidIndicator, 400, "The indicator is not valid.");
    public static readonly ApiError InvalidRequestId = Add(ImplementationErrorCodes.InvalidRequestId, 400, "The request id is not valid.");

    public static readonly ApiError StatusInUse = Add(ImplementationErrorCodes.StatusInUse, 409, "A status that records have reached stays on the path.");
    public static readonly ApiError InvalidDepartment = Add(ImplementationErrorCodes.InvalidDepartment, 400, "Choose the responsible department from the ward's list.");
    public static readonly ApiError StatusNotForward = Add(ImplementationErrorCodes.StatusNotForward, 409, "A record moves only forward along the ward's path (見送り before 実施済); a wrong latest step is withdrawn by an administrator.");
    public static readonly ApiError StepNotWithdrawable = Add(ImplementationErrorCodes.StepNotWithdrawable, 409, "Only the latest step, never the adoption, can be withdrawn.");
    public static readonly ApiError ActualNotFound = Add(ImplementationErrorCodes.ActualNotFound, 404, "The indicator has no actual on that date.");
    public static readonly ApiError ActualExists = Add(ImplementationErrorCodes.ActualExists, 409, "The indicator already has an actual on that date; send \"replace\": true to replace it.");

    // Satisfaction (「満足度」).
    public static readonly ApiError InvalidRating = Add(SatisfactionErrorCodes.InvalidRating, 400, "The rating is a whole number from 1 to 5.");
    public static readonly ApiError InvalidComment = Add(SatisfactionErrorCodes.InvalidComment, 400, "The comment is too long.");
    public static readonly ApiError InvalidSource = Add(SatisfactionErrorCodes.InvalidSource, 400, "The source is after-voting or results.");
    public static readonly ApiError AlreadyRated = Add(SatisfactionErrorCodes.AlreadyRated, 409, "You have already answered for this round.");
    public static readonly ApiError NoBallot = Add(SatisfactionErrorCodes.NoBallot, 403, "Only a person whose ballot is recorded answers after voting.");
    public static readonly ApiError SatisfactionNotOpen = Add(SatisfactionErrorCodes.NotYet, 409, "Not before the results of this round are published.");
    public static readonly ApiError CommentContactDetails = Add(SatisfactionErrorCodes.ContactDetails, 400, "The answer is anonymous: leave out phone numbers and email addresses.");
    // Comments and moderation.
    public static readonly ApiError CommentEmpty = Add(CommentErrorCodes.Empty, 400, "Write the comment (it is empty).");
    public static readonly ApiError CommentTooLong = Add(CommentErrorCodes.TooLong, 400, "The comment is too long.");
    public static readonly ApiError CommentHtml = Add(CommentErrorCodes.Html, 400, "HTML cannot be used in a comment; write plain text.");
    public static readonly ApiError CommentReasonRequired = Add(CommentErrorCodes.ReasonRequired, 400, "Give a reason.");
    public static readonly ApiError CommentReasonTooLong = Add(CommentErrorCodes.ReasonTooLong, 400, "The reason is too long.");
    public static readonly ApiError CommentNotFound = Add(CommentErrorCodes.NotFound, 404, "There is no such comment.");
    public static readonly ApiError CommentsClosed = Add(CommentErrorCodes.Closed, 409, "Comments are taken during the call for proposals, the screening and the vote; this round is past them.");
    public static readonly ApiError CommentProposalClosed = Add(CommentErrorCodes.ProposalClosed, 409, "The proposal was withdrawn or declined: it takes no new comments.");
    public static readonly ApiError CommentReplyDepth = Add(CommentErrorCodes.ReplyDepth, 400, "Replies go one level deep: reply to the first comment of the conversation.");
    public static readonly ApiError CommentParentNotOpen = Add(CommentErrorCodes.ParentNotOpen, 409, "The comment was hidden or deleted, so it takes no replies.");
    public static readonly ApiError CommentNotAuthor = Add(CommentErrorCodes.NotAuthor, 403, "Only the author may change or delete a comment.");
    public static readonly ApiError CommentEditWindowPassed = Add(CommentErrorCodes.EditWindowPassed, 409, "The time to change or delete this comment has passed.");
    public static readonly ApiError CommentHidden = Add(CommentErrorCodes.Hidden, 409, "The comment is hidden.");
    public static readonly ApiError CommentNotHidden = Add(CommentErrorCodes.NotHidden, 409, "The comment is neither hidden nor reported.");
    public static readonly ApiError CommentDeleted = Add(CommentErrorCodes.Deleted, 409, "The comment was deleted by its author.");
    public static readonly ApiError NotWardStaff = Add(CommentErrorCodes.NotWardStaff, 403, "Only staff who screen proposals, department staff, moderators and administrators may answer as the ward.");
    public static readonly ApiError CommentNotAllowed = Add(CommentErrorCodes.NotAllowed, 403, "Comments are written by people who live, work or study in the ward, and by the staff who may answer as the ward (screeners, department staff, moderators and administrators).");
    public static readonly ApiError ThreadFull = Add(CommentErrorCodes.ThreadFull, 409, "The proposal takes no more comments.");
    public static readonly ApiError CommentOwn = Add(CommentErrorCodes.OwnComment, 403, "You cannot report your own comment.");
    public static readonly ApiError CommentAlreadyReported = Add(CommentErrorCodes.AlreadyReported, 409, "You reported these words of the comment already.");
    public static readonly ApiError CommentRequestId = Add(CommentErrorCodes.InvalidRequestId, 400, "The request id is not valid.");

    // Reminders.
    public static readonly ApiError RemindersFinished = Add(ReminderErrorCodes.Finished, 409, "The round's results are published: there is nothing left to remind you of.");
    public static readonly ApiError RemindersFull = Add(ReminderErrorCodes.Full, 409, "The reminder list of this round is full.");
    public static readonly ApiError EmailUnknown = Add(ReminderErrorCodes.NoEmail, 409, "No email address is known for you: sign in on the site (or use a token with the email scope) so the address is recorded.");
    public static readonly ApiError EmailOff = Add(ReminderErrorCodes.EmailOff, 409, "This platform sends no email, so it cannot send reminders.");
    public static readonly ApiError InvalidLanguage = Add(ReminderErrorCodes.InvalidLanguage, 400, "The language must be \"ja\" or \"en\".");
    public static readonly ApiError UnsubscribeTokenInvalid = Add(ReminderErrorCodes.TokenInvalid, 400,
        "This link to stop reminders is not valid. Open the link from the email again, or sign in and turn reminders off on the round's page.");

    // Comments (added after the catalogue's comment block: this one is newer).
    public static readonly ApiError CommentUnderReview = Add(CommentErrorCodes.UnderReview, 409,
        "The comment was reported and awaits a moderator, so it cannot be edited now; it may still be deleted.");
    public static readonly ApiError TextDirectionControl = Add(CommentErrorCodes.DirectionControl, 400,
        "The text holds an invisible character that changes the direction it reads in (such as U+202E); remove it and send the text again.");

    // Following a proposal: the stop link in a follower's email (no sign-in).
    public static readonly ApiError FollowTokenInvalid = Add(ImplementationErrorCodes.FollowTokenInvalid, 400,
        "This link to stop following a proposal is not valid. Open the link from the email again, or sign in and stop following on the proposal's page.");

    /// <summary>Every code in the catalogue.</summary>
    public static IReadOnlyCollection<ApiError> All => Catalogue.Values;

    public static ApiError? Find(string code) => Catalogue.GetValueOrDefault(code);

    /// <summary>
    /// The one status for a code, whichever endpoint sends it. A code the catalogue does not hold is a bad
    /// request: every refusal a grain gives that is not listed here is about the caller's input.
    /// </summary>
    public static int StatusOf(string code) => Find(code)?.Status ?? StatusCodes.Status400BadRequest;

    /// <summary>The problem details of a refusal with the code's status (RFC 9457; <c>code</c> and <c>errors</c> as extensions).</summary>
    public static ProblemHttpResult Problem(string code, string? title = null, string? detail = null,
        IReadOnlyList<ValidationError>? errors = null, IReadOnlyDictionary<string, object?>? extensions = null) =>
        Problem(StatusOf(code), code, title ?? Find(code)?.Title ?? code, detail, errors, extensions);

    /// <summary>
    /// The one translation of a refused <see cref="CommandResult{TValue}"/> into problem details, for every capability:
    /// the code's status and title from the catalogue (a code it does not hold: the first message as the title), the
    /// refusal's messages as <c>detail</c> (unless the handler words it), its <see cref="ValidationError"/>s as
    /// <c>errors</c>, and a wait (<see cref="CommandResult{TValue}.RetryAfter"/>) as <c>retryAfterSeconds</c>, which
    /// the problem-details writer also sends as the <c>Retry-After</c> header (Hosting/ApiExtensions.cs).
    /// </summary>
    public static ProblemHttpResult Problem<TValue>(CommandResult<TValue> result, string? detail = null, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var code = result.Code ?? throw new ArgumentException("The command succeeded: there is no refusal to answer.", nameof(result));
        var title = Find(code)?.Title ?? result.Errors.FirstOrDefault(e => e.Message.Length > 0)?.Message ?? code;
        var all = extensions is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(extensions);
        if (result.RetryAfter is { } wait)
        {
            all[RetryAfterExtension] = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        }

        return Problem(StatusOf(code), code, title, detail ?? Detail(result.Errors), result.Errors, all);
    }

    /// <summary>
    /// The <c>detail</c> of a refusal: its one message as it stands; with several, a sentence that sends the reader to
    /// <c>errors</c>, where each stands by its field (never the messages run together with semicolons).
    /// </summary>
    internal static string? Detail(IReadOnlyList<ValidationError> errors)
    {
        var messages = errors.Where(e => e.Message.Length > 0).Select(e => e.Message).Distinct(StringComparer.Ordinal).ToList();
        return messages.Count switch
        {
            0 => null,
            1 => messages[0],
            _ => $"{messages.Count} things need correcting, each listed in \"errors\" with the field it is about. The first: {messages[0]}",
        };
    }

    /// <summary>The problem-details member that says how many seconds to wait; sent as <c>Retry-After</c> too.</summary>
    public const string RetryAfterExtension = "retryAfterSeconds";

    public static ProblemHttpResult Problem(ApiError error, string? detail = null,
        IReadOnlyList<ValidationError>? errors = null, IReadOnlyDictionary<string, object?>? extensions = null) =>
        Problem(error.Status, error.Code, error.Title, detail, errors, extensions);

    /// <summary>The one builder of problem details: status, title, type <c>urn:chiyoda-civic:problem:{code}</c> and the extensions.</summary>
    internal static ProblemHttpResult Problem(int status, string code, string title, string? detail,
        IReadOnlyList<ValidationError>? errors, IReadOnlyDictionary<string, object?>? extensions)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Type = $"urn:chiyoda-civic:problem:{code}",
        };
        problem.Extensions["code"] = code;
        if (errors is { Count: > 0 })
        {
            problem.Extensions["errors"] = errors;
        }

        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[name] = value;
        }

        return TypedResults.Problem(problem);
    }

    /// <summary>The code the framework's own refusals (401, 403, 404, 405, 413, 415, 429) carry.</summary>
    public static string CodeForStatus(int? status) => status switch
    {
        StatusCodes.Status401Unauthorized => Unauthenticated.Code,
        StatusCodes.Status403Forbidden => Forbidden.Code,
        StatusCodes.Status404NotFound => NotFound.Code,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed.Code,
        StatusCodes.Status413PayloadTooLarge => BodyTooLarge.Code,
        StatusCodes.Status414UriTooLong => UriTooLong.Code,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType.Code,
        StatusCodes.Status429TooManyRequests => RateLimited.Code,
        StatusCodes.Status431RequestHeaderFieldsTooLarge => HeadersTooLarge.Code,
        _ => Error.Code,
    };

    private static ApiError Add(string code, int status, string title)
    {
        var error = new ApiError(code, status, title);
        if (!Catalogue.TryAdd(code, error) && Catalogue[code].Status != status)
        {
            throw new InvalidOperationException($"The API error code '{code}' is given two statuses ({Catalogue[code].Status} and {status}).");
        }

        return Catalogue[code];
    }
}

/// <summary>The error codes an endpoint may answer with (besides those every endpoint may: see the OpenAPI transformer).</summary>
public sealed record ApiErrorsMetadata(IReadOnlyList<string> Codes);

public static class ApiErrorExtensions
{
    /// <summary>Declares the codes this endpoint may refuse with; the OpenAPI document lists them under each code's status.</summary>
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, params ApiError[] errors)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiErrorsMetadata([.. errors.Select(e => e.Code)]));
}
