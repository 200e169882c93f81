using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Screening;

/// <summary>A member of staff as last seen signing in: who an administrator can pick when assigning screening.</summary>
[GenerateSerializer, Immutable, Alias("civic.staff-member")]
public sealed record StaffMember(
    [property: Id(0)] string Sub,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<string> Roles,
    [property: Id(3)] DateTimeOffset LastSignIn);

/// <summary>
/// The ward's staff who have signed in with a staff role (screener, administrator): filled from sign-ins,
/// so the ward's identity provider stays the one place where staff are created and given roles.
/// </summary>
[Alias("civic.IStaffDirectoryGrain")]
public interface IStaffDirectoryGrain : IGrainWithStringKey
{
    public const string WardKey = "ward";

    [Alias("record")]
    Task RecordAsync(StaffMember member);

    [Alias("list"), ReadOnly]
    Task<IReadOnlyList<StaffMember>> ListAsync();
}
