using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Grains.Screening;

[GenerateSerializer, Alias("civic.staff-directory-state")]
public sealed class StaffDirectoryState
{
    [Id(0)] public Dictionary<string, StaffMember> Members { get; set; } = [];
}

/// <summary>
/// One entry per member of staff (~200 bytes), written when a name or role changes or a day has passed since
/// the last write, so a busy day of sign-ins costs a handful of writes. A ward has tens of staff; the cap keeps
/// the entity far below Azure Table's limit whatever happens.
/// </summary>
[GrainType("staff-directory")]
public sealed class StaffDirectoryGrain(
    [PersistentState("staff", StorageNames.GrainState)] IPersistentState<StaffDirectoryState> state) : Grain, IStaffDirectoryGrain
{
    public const int MaxMembers = 2_000;

    async Task IStaffDirectoryGrain.RecordAsync(StaffMember member)
    {
        var members = state.State.Members;
        if (members.TryGetValue(member.Sub, out var known)
            && known.Name == member.Name && known.Roles.SequenceEqual(member.Roles)
            && member.LastSignIn - known.LastSignIn < TimeSpan.FromDays(1))
        {
            return;
        }

        if (known is null && members.Count >= MaxMembers)
        {
            return;
        }

        members[member.Sub] = member;
        await state.WriteStateAsync();
    }

    Task<IReadOnlyList<StaffMember>> IStaffDirectoryGrain.ListAsync() =>
        Task.FromResult<IReadOnlyList<StaffMember>>([.. state.State.Members.Values.OrderBy(m => m.Name, StringComparer.Ordinal)]);
}
