using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.Deploy;

/// <summary>
/// deploy/doctor.sh on a host made of stand-ins where the real thing cannot run here (Docker, DNS, Caddy's TLS,
/// the firewall, the public-IP service, LiveKit's API) and a real S3 endpoint (s3rver) for the bucket checks.
/// The stand-ins keep what the doctor sent (the LiveKit token, the webhook), which the tests verify.
/// </summary>
public sealed class DoctorScriptTests : IClassFixture<S3rverServer>, IDisposable
{
    const string Domain = "meet.example.test";
    const string PublicIp = "203.0.113.7";
    const string ApiKey = "conference";
    const string ApiSecret = "0123456789abcdef0123456789abcdef0123456789abcdef";
    // When the stand-in Egress container last started, as docker inspect writes it: days before any test runs.
    const string EgressStarted = "2026-01-01T00:00:00.123456789Z";

    // Each stand-in answers from files in the host directory, which the tests write; see Healthy().
    const string StandIns = """
        #!/usr/bin/env bash
        here=$(cd "$(dirname "$0")/.." && pwd)
        case $(basename "$0") in
          getent)
            ip=$(awk -v name="$2" '$1 == name { print $2 }' "$here/dns")
            [ -n "$ip" ] || exit 2
            echo "$ip       STREAM $2" ;;
          openssl)
            if [ "$1" = s_client ]; then
              while [ $# -gt 0 ]; do [ "$1" = -servername ] && name=$2; shift; done
              [ -f "$here/certs/$name.pem" ] || exit 1
              cat "$here/certs/$name.pem"
            else
              exec /usr/bin/openssl "$@"
            fi ;;
          ss) cat "$here/listening" ;;
          iptables) [ -f "$here/iptables" ] || exit 4; cat "$here/iptables" ;;
          curl)
            case "$*" in
              *checkip.amazonaws.com*) echo PUBLIC_IP ;;
              *twirp/livekit.RoomService/ListRooms*)
                for argument in "$@"; do [[ $argument == "Authorization: Bearer "* ]] && echo "${argument#Authorization: Bearer }" > "$here/livekit-token"; done
                cat "$here/livekit-status" ;;
              *) exec /usr/bin/curl "$@" ;;
            esac ;;
          docker)
            echo "docker $*" >> "$here/docker.log"
            case "$*" in
              "compose exec -T livekit wget"*)
                for argument in "$@"; do last=$argument; done
                service=$(echo "$last" | sed -E 's|http://([a-z]+):.*|\1|')
                while [ $# -gt 0 ]; do
                  case $1 in --header) [[ $2 == "Authorization: "* ]] && echo "${2#Authorization: }" > "$here/webhook-token-$service" ;; --post-data) echo -n "$2" > "$here/webhook-body-$service" ;; esac
                  shift
                done
                [ ! -f "$here/webhook-fails-$service" ] ;;
              "compose logs --since "*" egress") cat "$here/egress.log" ;;
              "compose ps --all --format"*) cat "$here/ps" ;;
              "compose ps --all --quiet") awk '{ print $1 }' "$here/restarts" ;;
              "compose ps --all --quiet egress") [ ! -f "$here/egress-started" ] || echo 5e9f0c2a71d4 ;;
              "inspect --format {{.State.StartedAt}} 5e9f0c2a71d4") cat "$here/egress-started" ;;
              inspect*) cat "$here/restarts" ;;
            esac ;;
        esac
        """;

    readonly S3rverServer s3;
    readonly DeployDirectory host = new("conference", "recorder");

    public DoctorScriptTests(S3rverServer s3)
    {
        this.s3 = s3;
        foreach (var tool in new[] { "getent", "openssl", "ss", "iptables", "curl", "docker" })
        {
            host.WriteExecutable($"bin/{tool}", StandIns.Replace("PUBLIC_IP", PublicIp, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_healthy_host_passes_every_check_and_LiveKit_and_the_webhooks_get_valid_signatures()
    {
        Healthy();

        var (exitCode, output) = await DoctorAsync();

        Assert.True(exitCode == 0, output);
        Assert.Contains("doctor.sh: all checks passed", output);
        Assert.DoesNotContain("FAIL", output);
        foreach (var name in new[] { Domain, $"livekit.{Domain}", $"dashboard.{Domain}" })
        {
            Assert.Contains($"ok    {name} -> {PublicIp}", output);
            Assert.Contains($"ok    {name}: certificate valid until", output);
        }
        Assert.Contains("ok    bucket conference-tests is writable", output);
        Assert.Contains("ok    a presigned link reads it back", output);
        // Egress's log is read from its container's last start, however long ago that was.
        Assert.Contains("ok    Egress is connected", output);
        Assert.Contains($"docker compose logs --since {EgressStarted} egress", File.ReadAllText(Path.Combine(host.Path, "docker.log")));

        var roomList = VerifiedClaims(File.ReadAllText(Path.Combine(host.Path, "livekit-token")).Trim());
        Assert.Equal(ApiKey, roomList.GetProperty("iss").GetString());
        Assert.True(roomList.GetProperty("video").GetProperty("roomList").GetBoolean());
        foreach (var service in new[] { "api", "recorder" })
        {
            // LiveKit's webhook signature: a JWT whose sha256 claim is the base64 SHA-256 of the exact body.
            var body = File.ReadAllBytes(Path.Combine(host.Path, $"webhook-body-{service}"));
            var claims = VerifiedClaims(File.ReadAllText(Path.Combine(host.Path, $"webhook-token-{service}")).Trim());
            Assert.Equal(Convert.ToBase64String(SHA256.HashData(body)), claims.GetProperty("sha256").GetString());
            using var webhook = JsonDocument.Parse(body);
            Assert.Equal("room_finished", webhook.RootElement.GetProperty("event").GetString());
            Assert.StartsWith("doctor-", webhook.RootElement.GetProperty("id").GetString());
        }
        // The probe object was deleted again.
        using var http = new HttpClient();
        var listing = await http.GetStringAsync(new Uri(s3.Endpoint, $"{s3.Bucket}?list-type=2&prefix=doctor/"));
        Assert.DoesNotContain("<Key>doctor/", listing);
    }

    [Fact]
    public async Task Each_failure_is_named_with_its_fix_and_fails_the_run()
    {
        Healthy();
        File.WriteAllText(Path.Combine(host.Path, "dns"), $"{Domain} {PublicIp}\ndashboard.{Domain} 198.51.100.1\n");
        WriteCertificate(Domain, TimeSpan.FromDays(3));
        File.WriteAllText(Path.Combine(host.Path, "iptables"),
            "-P INPUT ACCEPT\n-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp -m state --state NEW -m tcp --dport 80 -j ACCEPT\n"
            + "-A INPUT -p tcp -m state --state NEW -m tcp --dport 443 -j ACCEPT\n-A INPUT -p tcp -m state --state NEW -m tcp --dport 7881 -j ACCEPT\n"
            + "-A INPUT -j REJECT --reject-with icmp-host-prohibited\n");
        File.WriteAllText(Path.Combine(host.Path, "livekit-status"), "401");
        File.WriteAllText(Path.Combine(host.Path, "webhook-fails-recorder"), "");
        File.WriteAllText(Path.Combine(host.Path, "egress.log"), "");
        File.SetLastWriteTimeUtc(Path.Combine(host.Path, "backups", "conference-20260101T000000Z.tar"), DateTime.UtcNow.AddHours(-30));
        File.WriteAllText(Path.Combine(host.Path, "ps"), "api running healthy\nrecorder running unhealthy\nweb exited\naspire-dashboard running\n");
        File.WriteAllText(Path.Combine(host.Path, "restarts"), "/conference-api-1 0\n/conference-recorder-1 12\n");

        var (exitCode, output) = await DoctorAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains($"FAIL  livekit.{Domain} does not resolve\n      fix: add an A record livekit.{Domain} -> {PublicIp} at your DNS provider", output);
        Assert.Contains($"FAIL  dashboard.{Domain} resolves to 198.51.100.1, not this host ({PublicIp})\n      fix: point the A record of dashboard.{Domain} at {PublicIp}", output);
        Assert.Contains($"warn  the certificate for {Domain} expires within 14 days", output);
        Assert.Contains("warn  this host's firewall rejects 7882/udp", output);
        Assert.Contains("fix: sudo iptables -I INPUT 6 -m state --state NEW -p udp --dport 7882 -j ACCEPT && sudo netfilter-persistent save", output);
        Assert.Contains("ok    the host firewall lets 443/tcp through", output);
        Assert.Contains("FAIL  LiveKit refuses LIVEKIT_API_KEY/LIVEKIT_API_SECRET from .env", output);
        Assert.Contains("ok    a signed webhook reaches the api", output);
        Assert.Contains("FAIL  a signed webhook does not reach the recorder", output);
        Assert.Contains($"FAIL  Egress has not said it is connected since it started ({EgressStarted})", output);
        Assert.Matches(@"FAIL  the last backup \(backups/conference-20260101T000000Z\.tar\) is 30 hours old", output);
        Assert.Contains("FAIL  recorder is running (unhealthy)\n      fix: docker compose logs --tail=50 recorder", output);
        Assert.Contains("FAIL  web is exited", output);
        Assert.Contains("warn  conference-recorder-1 restarted 12 times", output);
        Assert.Contains("check(s) failed", output);
    }

    [Fact]
    public async Task Without_an_Egress_container_it_says_to_start_one()
    {
        Healthy();
        File.Delete(Path.Combine(host.Path, "egress-started"));

        var (exitCode, output) = await DoctorAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains("FAIL  there is no Egress container\n      fix: docker compose up -d egress", output);
        Assert.DoesNotContain("compose logs --since", File.ReadAllText(Path.Combine(host.Path, "docker.log")));
    }

    [Fact]
    public async Task With_TURN_on_it_also_checks_the_TURN_name_and_TURN_UDP()
    {
        Healthy();
        File.WriteAllText(Path.Combine(host.Path, "livekit.yaml"),
            "port: 7880\nturn:\n  enabled: true\n  domain: \"turn.${DOMAIN:?see .env.example}\"\n  udp_port: 3478\n  tls_port: 5349\n  external_tls: true\nroom:\n  auto_create: true\n");

        var (exitCode, output) = await DoctorAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains($"FAIL  turn.{Domain} does not resolve\n      fix: add an A record turn.{Domain} -> {PublicIp}", output);
        Assert.Contains($"FAIL  no certificate for turn.{Domain}", output);
        Assert.Contains("FAIL  nothing listens on 3478/udp", output);
        Assert.Contains("warn  this host's firewall rejects 3478/udp", output);
    }

    [Fact]
    public async Task A_bucket_that_cannot_be_written_says_which_settings_to_check()
    {
        Healthy();
        File.AppendAllText(Path.Combine(host.Path, ".env"), "STORAGE_ENDPOINT=http://127.0.0.1:9\n");

        var (exitCode, output) = await DoctorAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains("FAIL  cannot write to bucket conference-tests at http://127.0.0.1:9", output);
        Assert.Contains("fix: check STORAGE_ENDPOINT, STORAGE_REGION, STORAGE_BUCKET and the keys in .env", output);
        Assert.Contains("no backup yet", (await DoctorWithoutBackupAsync()).Output);
    }

    /// <summary>Every stand-in answering as on a healthy host.</summary>
    void Healthy()
    {
        File.WriteAllText(Path.Combine(host.Path, ".env"), $"""
            DOMAIN={Domain}
            LIVEKIT_API_KEY={ApiKey}
            LIVEKIT_API_SECRET={ApiSecret}
            STORAGE_ENDPOINT={s3.Endpoint}
            STORAGE_BUCKET={s3.Bucket}
            STORAGE_REGION=us-east-1
            STORAGE_ACCESS_KEY={S3rverServer.AccessKey}
            STORAGE_SECRET_KEY={S3rverServer.SecretKey}

            """);
        File.Copy(Path.Combine(LocalMachine.RepositoryRoot, "deploy", "livekit.yaml"), Path.Combine(host.Path, "livekit.yaml"), overwrite: true);
        File.WriteAllText(Path.Combine(host.Path, "dns"), string.Concat(new[] { Domain, $"livekit.{Domain}", $"dashboard.{Domain}" }.Select(n => $"{n} {PublicIp}\n")));
        Directory.CreateDirectory(Path.Combine(host.Path, "certs"));
        foreach (var name in new[] { Domain, $"livekit.{Domain}", $"dashboard.{Domain}" })
        {
            WriteCertificate(name, TimeSpan.FromDays(60));
        }
        File.WriteAllText(Path.Combine(host.Path, "listening"),
            "tcp   LISTEN 0      4096         0.0.0.0:80        0.0.0.0:*\ntcp   LISTEN 0      4096         0.0.0.0:443       0.0.0.0:*\n"
            + "tcp   LISTEN 0      4096         0.0.0.0:7881      0.0.0.0:*\nudp   UNCONN 0      0            0.0.0.0:7882      0.0.0.0:*\n");
        File.WriteAllText(Path.Combine(host.Path, "iptables"),
            "-P INPUT ACCEPT\n-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT\n"
            + string.Concat(new[] { "80 tcp", "443 tcp", "7881 tcp", "7882 udp" }.Select(p => p.Split(' ')).Select(p => $"-A INPUT -p {p[1]} -m state --state NEW --dport {p[0]} -j ACCEPT\n"))
            + "-A INPUT -j REJECT --reject-with icmp-host-prohibited\n");
        File.WriteAllText(Path.Combine(host.Path, "livekit-status"), "200");
        File.WriteAllText(Path.Combine(host.Path, "egress.log"), "egress-1  | 2026-01-01T00:00:00Z INFO egress service ready\n");
        File.WriteAllText(Path.Combine(host.Path, "egress-started"), EgressStarted + "\n");
        Directory.CreateDirectory(Path.Combine(host.Path, "backups"));
        File.WriteAllText(Path.Combine(host.Path, "backups", "conference-20260101T000000Z.tar"), "archive");
        File.WriteAllText(Path.Combine(host.Path, "backups", "latest"), "conference-20260101T000000Z.tar\n");
        File.WriteAllText(Path.Combine(host.Path, "ps"), "api running healthy\nrecorder running healthy\naspire-dashboard running\n");
        File.WriteAllText(Path.Combine(host.Path, "restarts"), "/conference-api-1 0\n");
    }

    void WriteCertificate(string name, TimeSpan validFor)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.Add(validFor));
        File.WriteAllText(Path.Combine(host.Path, "certs", $"{name}.pem"), certificate.ExportCertificatePem() + "\n");
    }

    static JsonElement VerifiedClaims(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(ApiSecret), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        Assert.Equal(Base64Url(signature), parts[2]);
        var claims = JsonDocument.Parse(Convert.FromBase64String(Padded(parts[1]))).RootElement;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(now, claims.GetProperty("nbf").GetInt64(), claims.GetProperty("exp").GetInt64());
        return claims;
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static string Padded(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
    }

    Task<(int ExitCode, string Output)> DoctorAsync() =>
        host.RunAsync("doctor.sh", [], new() { ["DOCKER_ROOT"] = host.Path });

    Task<(int ExitCode, string Output)> DoctorWithoutBackupAsync()
    {
        File.Delete(Path.Combine(host.Path, "backups", "latest"));
        return DoctorAsync();
    }

    public void Dispose() => host.Dispose();
}
