namespace Chiyoda.Civic.Web.RoundResults;

/// <summary>Settings of the results' open data (section <c>OpenData</c>).</summary>
public sealed class OpenDataOptions
{
    public const string Section = "OpenData";

    /// <summary>The refusal of ballots.csv and ballots.pb for a round under <see cref="MinimumBallotsForBallotFile"/>.</summary>
    public const string BallotFileWithheld = "ballot-file-withheld";

    /// <summary>
    /// A round's per-ballot files (ballots.csv, ballots.pb) are published only when it counted at least this many ballots
    /// (default 100). In a small round the anonymised ballots, beside what neighbours know of who voted and how they lean,
    /// point at people (one ballot of a channel, one unusual combination); the totals in results.csv and results.json are
    /// published whatever the size. Negative values count as 0.
    /// </summary>
    public int MinimumBallotsForBallotFile { get; set; } = 100;

    public int Minimum => Math.Max(0, MinimumBallotsForBallotFile);
}
