namespace Coupons.Infrastructure.Kafka;

internal static partial class KafkaLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "librdkafka {Level} {Facility}: {Message}")]
    public static partial void Client(ILogger logger, string level, string facility, string message);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Kafka client error {Code}: {Reason}")]
    public static partial void ClientError(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Could not ensure Kafka topic {Topic}: {Reason}")]
    public static partial void TopicNotEnsured(ILogger logger, string topic, string reason);
}
