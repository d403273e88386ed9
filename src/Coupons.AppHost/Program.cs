// The production topology (deploy/docker-compose.yml's shape) as plain processes on this host, under Aspire: MariaDB
// with binlog, Redis primary + replica + three Sentinels, a three-broker Kafka mock, two app replicas behind nginx on
// :8081, Prometheus, Alertmanager and a webhook receiver for its notifications; the Aspire dashboard is the APM.
//   scripts/install-topology.sh                       # the Debian packages, once
//   dotnet run --project src/Coupons.AppHost          # dashboard: http://localhost:17180
using Coupons.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var topology = Topology.From(builder);
TopologyHome.UseStateFolder(topology);
topology.WriteCouponctlKeyFiles();   // .topology/couponctl/admin-key and read-key, for couponctl's contexts

var mariadb = builder.AddMariaDb(topology);
var redis = builder.AddRedisWithSentinels(topology);
var kafka = builder.AddKafkaBrokers(topology, out var kafkaBootstrapFile);
var replicas = builder.AddAppReplicas(topology, mariadb, redis, kafka, kafkaBootstrapFile);
builder.AddNginx(topology, replicas);
builder.AddMonitoring(topology, replicas);

builder.Build().Run();
