namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>Names shared by the grains and the hosts that configure their storage.</summary>
public static class StorageNames
{
    /// <summary>The grain storage provider every persisted grain uses (Azure Table storage).</summary>
    public const string GrainState = "civic";

    /// <summary>
    /// The ballot grains' storage: ballots of one round lie in a few table partitions, so many of them
    /// are written together in one batch transaction (group commit) rather than one request each.
    /// </summary>
    public const string Ballots = "civic-ballots";
}
