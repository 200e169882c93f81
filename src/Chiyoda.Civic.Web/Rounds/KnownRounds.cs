using System.Collections.Concurrent;
using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Web.Rounds;

/// <summary>
/// Which round ids exist, asked before any per-round grain (round, ballot, proposal index, results) is
/// touched, so a request naming an unknown round activates nothing but the one directory grain that is
/// always active anyway. Rounds are never deleted, so a round once seen is remembered by this process.
/// </summary>
public sealed class KnownRounds(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<string, bool> _known = new(StringComparer.Ordinal);

    public async ValueTask<bool> ExistsAsync(string roundId)
    {
        if (!RoundValidation.IsValidRoundId(roundId))
        {
            return false;
        }

        if (_known.ContainsKey(roundId))
        {
            return true;
        }

        if (!await grains.GetGrain<IRoundDirectoryGrain>(IRoundDirectoryGrain.WardKey).ContainsAsync(roundId))
        {
            return false;
        }

        _known[roundId] = true;
        return true;
    }
}
