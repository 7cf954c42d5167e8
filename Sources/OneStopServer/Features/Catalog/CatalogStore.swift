import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneStopCore
import SQLKit
import Vapor

/// The published catalog as the public sees it: every item's version in force, where it is
/// served, and the search index over them. Built once per catalog generation (a counter every
/// publication, withdrawal, delegation and department change moves, in the same transaction), so
/// several instances on one PostgreSQL agree, and a read costs one small query.
struct CatalogSnapshot: Sendable {
    struct Delegation: Sendable {
        var centerID: UUID
        var windowNumbers: [Int]
        var consultPhone: String?
    }

    struct Item: Sendable {
        var id: UUID
        var centerID: UUID
        var departmentID: UUID
        var departmentName: String
        var version: Int
        var guide: ItemGuide
        var delegations: [Delegation]

        /// Served at the owning center and wherever it is delegated.
        var centers: Set<UUID> { Set([centerID] + delegations.map(\.centerID)) }
    }

    var generation: Int64
    var items: [UUID: Item]
    var byCode: [String: UUID]
    /// Parent code → its published sub-items, in code order.
    var children: [String: [Item]]
    var directory: PublicDirectory
    var index: CatalogSearchIndex

    func item(code: String) -> Item? { byCode[code].flatMap { items[$0] } }

    /// Items served at a center, in code order.
    func served(at center: UUID) -> [Item] {
        items.values.filter { $0.centers.contains(center) }.sorted { $0.guide.code < $1.guide.code }
    }
}

actor CatalogStore {
    /// The characters' readings, for search by pinyin.
    let pinyin: PinyinTable
    private var current: CatalogSnapshot?
    private var loading: (generation: Int64, task: Task<CatalogSnapshot, any Error>)?

    static let counter = "catalog_generation"

    init(pinyin: PinyinTable = .empty) { self.pinyin = pinyin }

    /// The generation read last, when, and under which write epoch. Behind a lock rather than the
    /// actor, so that the end of every audited write (`writeFinished`) costs no hop to the actor.
    private struct Trust {
        var checked: (generation: Int64, at: UInt64, epoch: Int)?
        var epoch = 0
    }
    private nonisolated let trust = NIOLockedValueBox(Trust())
    /// How long a generation read is trusted. A write on this instance ends the trust at once
    /// (`writeFinished`); a write on another instance sharing the database is seen within this.
    static let trustNanoseconds: UInt64 = 1_000_000_000

    /// What an audited write did to the catalog: set by `bump` inside it (see `Request.audited`).
    final class Marker: Sendable {
        private let moved = NIOLockedValueBox(false)
        var bumped: Bool { moved.withLockedValue { $0 } }
        func bump() { moved.withLockedValue { $0 = true } }
    }
    @TaskLocal static var marker: Marker?

    /// Called after an audited write on this instance that moved the generation, committed or not.
    /// Other writes leave the catalog as it was, so the generation read stays trusted.
    nonisolated func writeFinished() {
        trust.withLockedValue {
            $0.epoch += 1
            $0.checked = nil
        }
    }

    /// The catalog generation, read from the database at most once a second between local writes.
    func generation(on db: any Database) async throws -> Int64 {
        let now = DispatchTime.now().uptimeNanoseconds
        let (hit, started) = trust.withLockedValue { t -> (Int64?, Int) in
            if let c = t.checked, c.epoch == t.epoch, now &- c.at < Self.trustNanoseconds { return (c.generation, t.epoch) }
            return (nil, t.epoch)
        }
        if let hit { return hit }
        let generation = try await CounterModel.find(Self.counter, on: db)?.value ?? 0
        // A write that finished while this read was under way may have moved it: don't keep it.
        trust.withLockedValue { if $0.epoch == started { $0.checked = (generation, now, started) } }
        return generation
    }

    func snapshot(on db: any Database) async throws -> CatalogSnapshot {
        let generation = try await generation(on: db)
        if let c = current, c.generation == generation { return c }
        if let l = loading, l.generation == generation { return try await l.task.value }
        let pinyin = self.pinyin
        let task = Task { try await Self.build(generation: generation, pinyin: pinyin, on: db) }
        loading = (generation, task)
        let built = try await task.value
        if (current?.generation ?? -1) < built.generation { current = built }
        if loading?.generation == generation { loading = nil }
        return built
    }

    /// Moves the generation; call inside the transaction that changed the catalog.
    static func bump(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        marker?.bump()
        try await sql.raw("UPDATE counters SET value = value + 1 WHERE name = \(bind: counter)").run()
    }

    static func build(generation: Int64, pinyin: PinyinTable, on db: any Database) async throws -> CatalogSnapshot {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        let rows = try await sql.raw(
            """
            SELECT i.id AS id, i.center_id AS center_id, i.department_id AS department_id, v.version AS version,
                   v.content AS content
            FROM service_items i JOIN service_item_versions v ON v.item_id = i.id AND v.version = i.version_in_force
            WHERE i.status = 'published'
            """
        ).all()
        let directory = try await PublicDirectory.load(on: db)
        var delegations: [UUID: [CatalogSnapshot.Delegation]] = [:]
        for d in try await ItemDelegationModel.query(on: db).all() {
            delegations[d.itemID, default: []].append(
                .init(centerID: d.centerID, windowNumbers: ItemText.windows(d.windowNumbers), consultPhone: d.consultPhone))
        }
        let decoder = JSONDecoder()
        var items: [UUID: CatalogSnapshot.Item] = [:]
        var byCode: [String: UUID] = [:]
        var documents: [CatalogSearchIndex.Document] = []
        documents.reserveCapacity(rows.count)
        for r in rows {
            let id = try r.decode(column: "id", as: UUID.self)
            let guide = try decoder.decode(ItemGuide.self, from: Data(try r.decode(column: "content", as: String.self).utf8))
            let dept = try r.decode(column: "department_id", as: UUID.self)
            let item = CatalogSnapshot.Item(
                id: id, centerID: try r.decode(column: "center_id", as: UUID.self), departmentID: dept,
                departmentName: directory.departments[dept]?.name ?? "", version: try r.decode(column: "version", as: Int.self),
                guide: guide,
                delegations: delegations[id] ?? [])
            items[id] = item
            byCode[guide.code] = id
            documents.append(
                .init(
                    id: id.uuidString, code: guide.code, name: guide.name, keywords: guide.keywords, department: item.departmentName,
                    materials: guide.materials.map(\.name), centers: Set(item.centers.map(\.uuidString)), parentCode: guide.parentCode))
        }
        var children: [String: [CatalogSnapshot.Item]] = [:]
        for item in items.values { if let parent = item.guide.parentCode { children[parent, default: []].append(item) } }
        for key in children.keys { children[key]?.sort { $0.guide.code < $1.guide.code } }
        return CatalogSnapshot(
            generation: generation, items: items, byCode: byCode, children: children, directory: directory,
            index: CatalogSearchIndex(documents, pinyin: pinyin))
    }
}

extension Application {
    private struct CatalogKey: StorageKey { typealias Value = CatalogStore }

    var catalogStore: CatalogStore {
        if let s = storage[CatalogKey.self] { return s }
        // Search by pinyin needs the characters' readings; without the file, by characters only.
        let path = directory.resourcesDirectory + "Pinyin/readings.txt"
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        if text.isEmpty { logger.warning("no pinyin readings at \(path): search by pinyin is off") }
        let s = CatalogStore(pinyin: PinyinTable(text: text))
        storage[CatalogKey.self] = s
        return s
    }
}

extension Request {
    func catalog() async throws -> CatalogSnapshot { try await application.catalogStore.snapshot(on: db) }
}
