using Microsoft.Kiota.Abstractions;

namespace Chiyoda.Civic.Client;

public partial class CivicApiClient
{
    /// <summary>
    /// The adapter the generated request builders send through, for a request a builder prepared whose body is sent in
    /// another of the operation's declared media types (a keying as the clerks' CSV file rather than JSON lines).
    /// </summary>
    public IRequestAdapter Adapter => RequestAdapter;
}
