using System.Diagnostics.Metrics;
using System.Globalization;
using Coupons.Ops;

namespace Coupons.Pauses;

/// <summary>
/// This instance's view of the pauses, for the click path: read from the database at the first click (and whenever
/// <see cref="SaleSwitchboardLoop"/> or an admin call here refreshes it), answered from memory otherwise. Reads are
/// one at a time, so an older read can never overwrite a newer one. When the database cannot be read, the last view
/// stands: pauses change only through the database, so nothing newer exists that another instance could be
/// honouring.
/// </summary>
public sealed class SaleSwitchboard : IDisposable
{
    private readonly SalePauseStore _store;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private volatile IReadOnlyDictionary<long, SalePause>? _known;
    private long _readAtTimestamp;

    public SaleSwitchboard(SalePauseStore store, CouponMetrics metrics, TimeProvider clock)
    {
        _store = store;
        _clock = clock;
        // What this instance honours, so on-call can see every replica follows a pause: coupon="all" is always there
        // (0 or 1) once the pauses were read, and each paused coupon is a series of its own. Nothing before the first
        // read: unknown is not "not paused".
        metrics.Gauge("coupons.sales.paused", Honoured, description:
            "Pauses this instance honours: coupon=\"all\" 1 while every sale is paused, else 0; one series at 1 per paused coupon.");
        // When each pause began (Unix time), so an alert on how long a sale has been paused does not start over when
        // the app restarts (a "for:" clock would).
        metrics.Gauge("coupons.sales.paused.since", PausedSince, "s", "When each pause in force began (Unix time); coupon=\"all\" for every sale.");
        // How old this instance's view is: an instance that cannot read the database keeps its last view, and a pause
        // made meanwhile is not honoured there (couponctl status names such a replica).
        metrics.Gauge("coupons.sales.pauses.age", ViewAge, "s", "Seconds since this instance last read the pauses; absent before its first read.");
    }

    /// <summary>
    /// The pause that stops clicks on <paramref name="couponId"/> now, its own or every sale's; null when it is on
    /// sale.
    /// </summary>
    /// <exception cref="System.Data.Common.DbException">Never read yet, and the database cannot be read: whether the
    /// sale is paused is unknown, and the click is refused (503) rather than guessed.</exception>
    public async ValueTask<SalePause?> PauseForAsync(long couponId, CancellationToken ct)
    {
        var known = _known ?? await ReadAsync(firstOnly: true, ct);
        return SalePause.StoppingSale(known, couponId);
    }

    /// <summary>
    /// The coupons whose pauses this instance honours now (<see cref="SalePause.EverySale"/> for the global switch);
    /// null before the first read.
    /// </summary>
    public IReadOnlyCollection<long>? Honouring => _known?.Keys.ToList();

    /// <summary>
    /// Reads the pauses from the database and makes them this instance's view (after a change made here, and each
    /// round of the loop).
    /// </summary>
    public Task<IReadOnlyDictionary<long, SalePause>> RefreshAsync(CancellationToken ct) => ReadAsync(firstOnly: false, ct);

    /// <param name="firstOnly">A click before the first read: one that waited while another read uses that one (a
    /// thousand clicks at start make one query). A refresh always reads, after any read in progress.</param>
    private async Task<IReadOnlyDictionary<long, SalePause>> ReadAsync(bool firstOnly, CancellationToken ct)
    {
        await _reading.WaitAsync(ct);
        try
        {
            if (firstOnly && _known is { } readMeanwhile)
            {
                return readMeanwhile;
            }

            var read = (await _store.ListAsync(ct)).ToDictionary(p => p.CouponId);
            _known = read;
            Interlocked.Exchange(ref _readAtTimestamp, _clock.GetTimestamp());
            return read;
        }
        finally
        {
            _reading.Release();
        }
    }

    public void Dispose() => _reading.Dispose();

    private IEnumerable<Measurement<double>> ViewAge()
    {
        if (_known is not null)
        {
            yield return new(_clock.GetElapsedTime(Interlocked.Read(ref _readAtTimestamp)).TotalSeconds);
        }
    }

    private IEnumerable<Measurement<double>> PausedSince() =>
        (_known?.Values ?? []).Select(p => new Measurement<double>(new DateTimeOffset(p.PausedAt, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0,
            new KeyValuePair<string, object?>("coupon", p.CoversEverySale ? "all" : p.CouponId.ToString(CultureInfo.InvariantCulture))));

    private IEnumerable<Measurement<int>> Honoured()
    {
        if (_known is not { } known)
        {
            yield break;
        }

        yield return new(known.ContainsKey(SalePause.EverySale) ? 1 : 0, new KeyValuePair<string, object?>("coupon", "all"));
        foreach (var couponId in known.Keys.Where(id => id != SalePause.EverySale))
        {
            yield return new(1, new KeyValuePair<string, object?>("coupon", couponId.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
