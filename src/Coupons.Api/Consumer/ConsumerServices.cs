using Coupons.Infrastructure.Database;

namespace Coupons.Consumer;

public static class ConsumerServices
{
    /// <summary>
    /// The consumer: reads accepted requests from Kafka in batches, decides each against the database, writes the
    /// decisions, dead-letters what can never be applied, and commits. On a connection pool of its own.
    /// </summary>
    public static IServiceCollection AddConsumer(this IServiceCollection services)
    {
        services.AddSingleton<IssueRequestStore>().AddSingleton<ConsumerHealth>().AddSingleton<ConsumerBatchWriter>().AddSingleton<DeadLetterWriter>();
        services.AddSingleton<DeadLetters>(); // the admin's reader of the dead-letter topic, and its replay
        services.AddKeyedSingleton(DatabaseServices.ConsumerPool, (sp, key) =>
            new IssueRequestStore(sp.GetRequiredKeyedService<IDbConnectionFactory>(key), sp.GetRequiredService<TimeProvider>()));
        return services.AddHostedService<ConsumerLoop>();
    }
}
