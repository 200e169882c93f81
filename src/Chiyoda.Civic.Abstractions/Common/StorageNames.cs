namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>Names shared by the grains and the hosts that configure their storage.</summary>
public static class StorageNames
{
    /// <summary>The grain storage provider every persisted grain uses (Azure Table storage).</summary>
    public const string GrainState = "civic";
}
