namespace Chiyoda.Civic.Tests.Faults;

/// <summary>Every fault test starts from a whole cluster: silos an earlier test killed are started again first.</summary>
public abstract class FaultTest(FaultCluster fault) : IAsyncLifetime
{
    protected FaultCluster Fault { get; } = fault;

    public Task InitializeAsync() => Fault.RecoverAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
