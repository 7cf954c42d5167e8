import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// The patrols as read back (issue 23): with their windows' names, their findings and photos, and
/// each day's count against the number required.
extension PatrolService {
    static func dtos(_ patrols: [PatrolModel], req: Request) async throws -> [Patrol] {
        let ids = patrols.compactMap(\.id)
        let findings =
            ids.isEmpty ? [] : try await PatrolFindingModel.query(on: req.db).filter(\.$patrolID ~~ ids).sort(\.$id).all()
        let shown = try await findingDTOs(findings, req: req)
        let windows = try await windowNames(Set(patrols.flatMap { $0.observationsValue.map(\.windowID) }), on: req.db)
        return patrols.map { p in
            Patrol(
                id: p.id!, day: p.day, at: Date(timeIntervalSince1970: Double(p.at) / 1000), recordedBy: p.recordedBy,
                observations: p.observationsValue.map {
                    Observation(
                        windowID: $0.windowID, window: windows[$0.windowID] ?? "", present: $0.present, tidy: $0.tidy, badge: $0.badge,
                        queue: $0.queue, note: $0.note)
                }, note: p.note, findings: shown.filter { $0.patrolID == p.id })
        }
    }

    static func windowNames(_ ids: Set<UUID>, on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        var out: [UUID: String] = [:]
        for w in try await WindowModel.query(on: db).filter(\.$id ~~ Array(ids)).all() { out[w.id!] = "\(w.number) 号窗口 \(w.name)" }
        return out
    }

    static func findingDTOs(_ findings: [PatrolFindingModel], req: Request) async throws -> [Finding] {
        guard !findings.isEmpty else { return [] }
        let today = HallClock.day(req.now).description
        let windows = try await windowNames(Set(findings.compactMap(\.windowID)), on: req.db)
        let departments = try await DutyService.names([], departments: Set(findings.compactMap(\.departmentID)), on: req.db).departments
        let photos = try await PatrolPhotoModel.query(on: req.db).filter(\.$findingID ~~ findings.compactMap(\.id))
            .field(\.$id).field(\.$findingID).all()
        return findings.map { f in
            Finding(
                id: f.id!, patrolID: f.patrolID, windowID: f.windowID, window: f.windowID.flatMap { windows[$0] },
                departmentID: f.departmentID, department: f.departmentID.flatMap { departments[$0] }, text: f.text, phrase: f.phrase,
                due: f.due,
                overdue: f.closedAt == nil && f.due < today, photos: photos.filter { $0.findingID == f.id }.map { photoPath($0.id!) },
                rectification: f.action, closedBy: f.closedBy, closedAt: f.closedAt.map { Date(timeIntervalSince1970: Double($0) / 1000) })
        }
    }

    /// The days `from`…`to` with their patrols against the number required, and the patrols.
    static func list(_ center: UUID, from: CivilDate, to: CivilDate, req: Request) async throws -> Listing {
        try await req.scope().require(center)
        let today = HallClock.day(req.now)
        let rota = try await DutyService.rota(center, from: from, to: to, on: req.db, req: req)
        let patrols = try await PatrolModel.query(on: req.db).filter(\.$centerID == center)
            .filter(\.$day >= from.description).filter(\.$day <= to.description).sort(\.$at, .descending).all()
        let days = rota.days.map { d -> Day in
            let n = patrols.filter { $0.day == d.day }.count
            let status = DutyRules.status(
                day: CivilDate(d.day) ?? today, today: today, working: d.working, patrols: n, required: rota.patrolsPerDay,
                planned: d.leader != nil)
            return Day(
                day: d.day, working: d.working, required: rota.patrolsPerDay, recorded: n, status: status.rawValue, leader: d.leader?.name)
        }
        return Listing(
            centerID: center, from: from.description, to: to.description, days: days, patrols: try await dtos(patrols, req: req))
    }

    /// The findings of a center, open ones first; a chief representative sees their department's.
    static func findings(_ center: UUID, open: Bool?, req: Request) async throws -> [Finding] {
        let p = try req.requirePrincipal()
        try await req.scope().require(center)
        var q = PatrolFindingModel.query(on: req.db).filter(\.$centerID == center)
        if p.role == .chiefRepresentative { q = q.filter(\.$departmentID == p.departmentID) }
        if open == true { q = q.filter(\.$closedAt == nil) }
        if open == false { q = q.filter(\.$closedAt != nil) }
        let rows = try await q.sort(\.$due).limit(500).all()
        return try await findingDTOs(rows.filter { $0.closedAt == nil } + rows.filter { $0.closedAt != nil }, req: req)
    }

    enum CloseOutcome {
        case closed(PatrolFindingModel)
        case alreadyClosed
    }
}
