import Fluent
import Foundation
import OneStopCore
import Vapor

/// What the public pages show beside the items — centers, their windows and bundles, departments,
/// staff commitments and template files — read once per catalog generation with the items, so a
/// guide page needs no query of its own. Every change to these rows moves the generation.
struct PublicDirectory: Sendable {
    struct Center: Sendable {
        var id: UUID
        var level: String
        var hall: HallCenter
        var code: String { hall.code }
    }

    struct Window: Sendable {
        var number: Int
        var name: String
        var isOpen: Bool
    }

    struct Department: Sendable {
        var id: UUID
        var code: String
        var name: String
        var commitment: String
    }

    struct Person: Sendable {
        var id: UUID
        var name: String
        var post: String
        var commitment: String
    }

    struct File: Sendable {
        var id: UUID
        var material: String
        var kind: String
        var filename: String
    }

    struct Bundle: Sendable {
        var id: UUID
        var centerID: UUID
        var name: String
        var summary: String
        var codes: [String]
    }

    var centers: [UUID: Center] = [:]
    var centerByCode: [String: UUID] = [:]
    /// Per center, by number.
    var windows: [UUID: [Window]] = [:]
    var departments: [UUID: Department] = [:]
    /// Per department, staff with a public commitment, by job number.
    var committedStaff: [UUID: [Person]] = [:]
    /// Per item.
    var files: [UUID: [File]] = [:]
    var bundles: [UUID: Bundle] = [:]
    /// Per center, by name.
    var bundlesAt: [UUID: [Bundle]] = [:]

    /// A center by its id or its code.
    func center(_ raw: String) -> Center? {
        if let id = UUID(uuidString: raw), let c = centers[id] { return c }
        return centerByCode[raw].flatMap { centers[$0] }
    }

    /// The hall a visitor lands in when no center is named: the first county center, else the first.
    var defaultCenter: Center? {
        let sorted = centers.values.sorted { $0.code < $1.code }
        return sorted.first { $0.level == CenterLevel.county.rawValue } ?? sorted.first
    }

    static func load(on db: any Database) async throws -> PublicDirectory {
        var d = PublicDirectory()
        for c in try await CenterModel.query(on: db).all() {
            d.centers[c.id!] = Center(id: c.id!, level: c.level, hall: HallCenter(c))
            d.centerByCode[c.code] = c.id!
        }
        for w in try await WindowModel.query(on: db).sort(\.$number).all() {
            d.windows[w.centerID, default: []].append(Window(number: w.number, name: w.name, isOpen: w.isOpen))
        }
        for dept in try await DepartmentModel.query(on: db).all() {
            d.departments[dept.id!] = Department(id: dept.id!, code: dept.code, name: dept.name, commitment: dept.commitment)
        }
        for s in try await StaffModel.query(on: db).filter(\.$commitment != "").sort(\.$jobNumber).all() {
            guard let dept = s.departmentID else { continue }
            d.committedStaff[dept, default: []].append(Person(id: s.id!, name: s.name, post: s.post, commitment: s.commitment))
        }
        let files = try await ItemFileModel.query(on: db).field(\.$id).field(\.$itemID).field(\.$material).field(\.$kind)
            .field(\.$filename).sort(\.$createdAt).all()
        for f in files {
            d.files[f.itemID, default: []].append(File(id: f.id!, material: f.material, kind: f.kind, filename: f.filename))
        }
        for b in try await BundleModel.query(on: db).sort(\.$name).all() {
            let bundle = Bundle(id: b.id!, centerID: b.centerID, name: b.name, summary: b.summary, codes: b.codes)
            d.bundles[b.id!] = bundle
            d.bundlesAt[b.centerID, default: []].append(bundle)
        }
        return d
    }
}

/// The center a public page or API call is about, as an id or a code, from the catalog snapshot.
enum PublicCenter {
    /// `?center=`, when given; an unknown one is not found.
    static func optional(_ req: Request, in snapshot: CatalogSnapshot) throws -> PublicDirectory.Center? {
        guard let raw = req.query[String.self, at: "center"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return try find(raw, in: snapshot)
    }

    static func find(_ raw: String, in snapshot: CatalogSnapshot) throws -> PublicDirectory.Center {
        guard let c = snapshot.directory.center(raw) else { throw Abort(.notFound) }
        return c
    }
}
