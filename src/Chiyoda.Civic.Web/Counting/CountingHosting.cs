using Chiyoda.Civic.Web.RoundResults;

namespace Chiyoda.Civic.Web.Counting;

public static class CountingHosting
{
    public static IServiceCollection AddCountingAndResults(this IServiceCollection services) => services
        .AddSingleton<BallotStoreReader>()
        .AddSingleton<PublishedResultsCache>()
        .AddScoped<CountingService>()
        .AddSingleton<CountingOperations>()
        .AddScoped<ResultsService>();
}
