import Foundation
import NIOConcurrencyHelpers
import OneStopCore
import Vapor

/// Rendered public hall pages for visitors without a session. A page is the same for every such
/// visitor with the same language, display mode and day, and it changes only when the catalog
/// generation moves (every publication, withdrawal, delegation, file, bundle, center, department,
/// window or staff change moves it), so a hit skips the queries and the template. Entries of an
/// older generation are dropped the first time a newer one is seen; the cache holds at most
/// `budget` bytes of pages.
final class PublicPageCache: Sendable {
    private struct Entry {
        var body: ByteBuffer
        var contentType: String
    }

    private struct State {
        var generation: Int64 = -1
        var entries: [String: Entry] = [:]
        var bytes = 0
    }

    private let state = NIOLockedValueBox(State())
    let budget: Int

    init(budget: Int) { self.budget = budget }

    var count: Int { state.withLockedValue { $0.entries.count } }

    /// The cached page for `req`, or the page `render` makes (kept when it is a 200 page).
    func respond(_ req: Request, _ render: () async throws -> Response) async throws -> Response {
        guard budget > 0, req.method == .GET, !req.hasSession, req.principal == nil else { return try await render() }
        let generation = try await req.catalog().generation
        let key = [
            CivilDate.of(req.now).description, req.language.rawValue, DisplayModes.elder(req) ? "E" : "",
            req.cookies[DisplayModes.kioskCookie]?.string ?? "", req.url.string,
        ].joined(separator: "|")
        let hit = state.withLockedValue { s -> Entry? in s.generation == generation ? s.entries[key] : nil }
        if let hit {
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: hit.contentType)
            return Response(status: .ok, headers: headers, body: .init(buffer: hit.body))
        }
        let response = try await render()
        guard response.status == .ok, let body = response.body.buffer, body.readableBytes < budget / 8 else { return response }
        let entry = Entry(body: body, contentType: response.headers.first(name: .contentType) ?? "text/html; charset=utf-8")
        state.withLockedValue { s in
            if generation > s.generation { s = State(generation: generation) }
            guard generation == s.generation else { return }
            if let old = s.entries[key] { s.bytes -= old.body.readableBytes }
            // Over budget: forget an arbitrary quarter of the pages (dictionary order is unrelated to use).
            if s.bytes + body.readableBytes > budget {
                for k in s.entries.keys.prefix(max(1, s.entries.count / 4)) {
                    s.bytes -= s.entries.removeValue(forKey: k)?.body.readableBytes ?? 0
                }
            }
            s.entries[key] = entry
            s.bytes += body.readableBytes
        }
        return response
    }
}

extension Application {
    private struct PageCacheKey: StorageKey { typealias Value = PublicPageCache }

    /// Set once at start-up (sized by `ONESTOP_PAGE_CACHE_MB`), before requests arrive.
    var publicPages: PublicPageCache {
        get { storage[PageCacheKey.self] ?? PublicPageCache(budget: 0) }
        set { storage[PageCacheKey.self] = newValue }
    }
}
