using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Tally;

namespace Chiyoda.Civic.Grains.Ballots;

[GenerateSerializer, Alias("civic.ballot-state")]
public sealed class BallotState
{
    /// <summary>The latest electronic ballot (online or at a facility kiosk: its receipt says which) and its receipt; null until one is cast.</summary>
    [Id(0)] public BallotReceipt? Online { get; set; }

    /// <summary>The accepted paper ballot, which supersedes any online ballot whatever the order of arrival.</summary>
    [Id(1)] public PaperBallotRecord? Paper { get; set; }

    /// <summary>Grows with every change to what this voter adds to the count; the tally keeps only the highest.</summary>
    [Id(2)] public int ContributionVersion { get; set; }

    /// <summary>The last few requests by their caller-supplied ids, so a retry returns the same answer and changes nothing.</summary>
    [Id(3)] public List<RememberedRequest> RecentRequests { get; set; } = [];

    /// <summary>Every paper ballot seen for this voter by serial, with its outcome, so re-entering a serial repeats the answer.</summary>
    [Id(4)] public Dictionary<string, PaperResult> PaperOutcomes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whom to tell if paper supersedes the online ballot (the subject that cast it).</summary>
    [Id(5)] public string? OnlineSubject { get; set; }

    /// <summary>
    /// Serial → the batch that recorded it, for this voter's paper ballots that compete for the count (counted or
    /// duplicate), so a change of their outcome can be reported in their batch.
    /// </summary>
    [Id(6)] public Dictionary<string, string> PaperBatches { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The contribution version at which an earlier-cast paper ballot last took the count over (0: never). While
    /// it equals <see cref="ContributionVersion"/>, replays of the counted serial report the change again, so a
    /// report or audit entry lost to a crash after the ballot was stored is made good by the commit's retry.
    /// </summary>
    [Id(7)] public int ReplacedAtVersion { get; set; }

    /// <summary>The serial that counted until an earlier-cast ballot took the count over (the last such change).</summary>
    [Id(8)] public string? ReplacedSerial { get; set; }

    /// <summary>What this voter adds to the live count now: the paper ballot if one was accepted, else the latest electronic ballot (online or kiosk).</summary>
    public VoterContribution Contribution(string voterKey) => Paper is { } paper
        ? new VoterContribution(voterKey, ContributionVersion, paper.Choices, BallotChannel.Paper)
        : new VoterContribution(voterKey, ContributionVersion, Online?.Choices ?? [], Online?.Channel ?? BallotChannel.Online);

    /// <summary>A copy to change, so the stored state is only replaced once the change is written.</summary>
    public BallotState Copy() => new()
    {
        Online = Online,
        Paper = Paper,
        ContributionVersion = ContributionVersion,
        RecentRequests = [.. RecentRequests],
        PaperOutcomes = new(PaperOutcomes, StringComparer.Ordinal),
        OnlineSubject = OnlineSubject,
        PaperBatches = new(PaperBatches, StringComparer.Ordinal),
        ReplacedAtVersion = ReplacedAtVersion,
        ReplacedSerial = ReplacedSerial,
    };
}

[GenerateSerializer, Alias("civic.paper-ballot-record")]
public sealed record PaperBallotRecord(
    [property: Id(0)] string Serial,
    [property: Id(1)] DateOnly CastDate,
    [property: Id(2)] IReadOnlyList<int> Choices,
    [property: Id(3)] DateTimeOffset RecordedAt,
    [property: Id(4)] string Facility = "",
    [property: Id(5)] string BatchId = "");

[GenerateSerializer, Alias("civic.remembered-request")]
public sealed record RememberedRequest(
    [property: Id(0)] string IdempotencyKey,
    [property: Id(1)] string Body,
    [property: Id(2)] BallotReceipt Receipt);
