using Azure;
using Orleans.Storage;

namespace Chiyoda.Civic.Grains.Ballots.Storage;

/// <summary>
/// Grain storage for ballot grains only (<see cref="BallotState"/>), writing through the partition's
/// group commit (<see cref="BallotPartitionWriter"/>).
/// <para>
/// An activation starts <em>unverified</em>: its first read costs no request and yields an empty ballot
/// with ETag <see cref="Unverified"/>. Most activations are voters casting their first ballot, and their
/// write is an insert that storage refuses if a ballot already exists; the grain then reads for real
/// (<see cref="IsUnverified"/>) and decides again. So a first ballot costs one share of a batch, not a
/// read and a write, and nothing is ever decided on an empty ballot that storage contradicts.
/// </para>
/// </summary>
public sealed class BallotGrainStorage(BallotTable table) : IGrainStorage
{
    /// <summary>ETag of a ballot not read from storage yet: its write is an insert.</summary>
    public const string Unverified = "unverified";

    /// <summary>ETag of a ballot read from storage and found absent: its write is an insert too.</summary>
    public const string Absent = "absent";

    public static bool IsUnverified(string? etag) => etag is null or Unverified;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainState.ETag is null)
        {
            grainState.ETag = Unverified;
            grainState.RecordExists = false;
            return;
        }

        var (partitionKey, rowKey) = table.Locate(grainId.Key.ToString()!);
        if (await table.ReadAsync(partitionKey, rowKey) is { } stored)
        {
            grainState.State = AsT<T>(stored.State);
            grainState.ETag = stored.ETag.ToString();
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = AsT<T>(new BallotState());
            grainState.ETag = Absent;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var state = grainState.State as BallotState
            ?? throw new InvalidOperationException($"Ballot storage holds {nameof(BallotState)} only, not {typeof(T).Name}.");
        var (partitionKey, rowKey) = table.Locate(grainId.Key.ToString()!);
        ETag? etag = grainState.ETag is null or Unverified or Absent ? null : new ETag(grainState.ETag);
        var stored = await table.Writer(partitionKey).WriteAsync(table.ToEntity(partitionKey, rowKey, state), etag);
        grainState.ETag = stored.ToString();
        grainState.RecordExists = true;
    }

    /// <summary>Ballots are never deleted by the application: an election's record is kept whole.</summary>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        throw new InvalidOperationException("Ballots are never deleted by the application.");

    private static T AsT<T>(BallotState state) => state is T typed
        ? typed
        : throw new InvalidOperationException($"Ballot storage holds {nameof(BallotState)} only, not {typeof(T).Name}.");
}
