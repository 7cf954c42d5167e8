import Fluent
import Foundation
import OneStopCore
import Vapor

/// The demo organisation seeded on first start: a fictional province-to-community tree, the
/// departments, windows and staff of a county center, and the administrator account. Names are
/// generated, not taken from any real center.
enum DemoData {
    /// Seeds when there are no centers yet and returns the admin password to print; nil when
    /// the database was already seeded.
    static func seedIfEmpty(_ app: Application) async throws -> String? {
        guard try await CenterModel.query(on: app.db).count() == 0 else { return nil }
        let password = app.settings.adminPassword ?? Digest.randomPassword()
        let hash = try app.password.hash(password)
        let now = app.clock.now()
        let grace = now.timeIntervalSince1970 + app.settings.twoFactor.graceSeconds
        try await AuditedWrite.run(on: app.db, gate: app.writeGate, actor: "system:seed", now: now) { db in
            let events = try await seed(on: db, adminHash: hash, today: HallClock.day(now), hallHistory: app.settings.demoHallHistory)
            // The administrator's week of grace to set up two-step verification runs on the
            // center's clock, as sign-in reads it.
            try await UserModel.query(on: db).filter(\.$username == "admin").set(\.$twoFactorGraceUntil, to: grace).update()
            return ((), events)
        }
        return password
    }

    static func seed(on db: any Database, adminHash: String, today: CivilDate, hallHistory: Bool) async throws -> [AuditEvent] {
        var events: [AuditEvent] = []
        func center(
            _ name: String, _ code: String, _ level: CenterLevel, _ parent: UUID?, _ address: String, _ phone: String
        ) async throws -> UUID {
            let c = CenterModel()
            c.dutySeparation = DutySeparation.promised.rawValue
            c.name = name
            c.code = code
            c.level = level.rawValue
            c.parentID = parent
            c.address = address
            c.phone = phone
            c.officeHours = "周一至周五 9:00–12:00，13:30–17:00（法定节假日除外，调休上班日照常办公）"
            c.commitment =
                level == .county
                ? "一窗受理、一次告知、限时办结；办事不找关系、不花冤枉钱；超时默认、缺席默认，办不成事有人管。"
                : (level == .township ? "小事不出村、大事不出镇；首问负责，代办帮办。" : "")
            try await c.create(on: db)
            events.append(AuditEvent("center.create", "center", id: c.id, center: c.id, detail: ["code": code, "name": name]))
            return c.id!
        }
        let province = try await center("东岚省政务服务中心", "DL000000", .province, nil, "东岚省岚州市政务大道1号", "0531-86012345")
        let city = try await center("青禾市政务服务中心", "DL010000", .city, province, "青禾市新城区市民之家", "0532-88001234")
        let county = try await center("石桥县政务服务中心", "DL010200", .county, city, "石桥县人民路88号便民服务大厅", "0533-6012345")
        let town = try await center("城关镇便民服务中心", "DL010201", .township, county, "石桥县城关镇府前街12号", "0533-6023456")
        _ = try await center("柳河乡便民服务中心", "DL010202", .township, county, "石桥县柳河乡政府一楼", "0533-6034567")
        _ = try await center("东街社区便民服务站", "DL01020101", .village, town, "城关镇东街社区党群服务中心", "0533-6045678")

        // The township's own windows, where delegated items are served.
        for n in 1...2 {
            let w = WindowModel()
            w.centerID = town
            w.number = n
            w.name = n == 1 ? "社保民政综合窗口" : "综合受理窗口"
            w.kind = WindowKind.comprehensive.rawValue
            w.isOpen = true
            w.phone = "0533-602345\(5 + n)"
            try await w.create(on: db)
            events.append(AuditEvent("window.create", "window", id: w.id, center: town, detail: ["number": String(n)]))
        }
        let departments: [(String, String, String)] = [
            ("县市场监督管理局", "SCJG", "个体工商户、企业登记，食品经营许可"),
            ("县公安局", "GA", "户籍、居民身份证、出入境、交管业务"),
            ("县税务局", "SW", "发票领用、税费申报、社保费缴纳"),
            ("县人力资源和社会保障局", "RS", "社会保险登记、就业创业服务"),
            ("县自然资源局", "ZR", "不动产登记、用地审批"),
            ("县卫生健康局", "WJ", "医师执业注册、公共场所卫生许可"),
            ("县住房和城乡建设局", "ZJ", "施工许可、建筑业资质"),
            ("县民政局", "MZ", "婚姻登记、社会救助、社会组织登记"),
        ]
        let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
        let given = ["晓燕", "建华", "丽娟", "志强", "海燕", "文杰", "秀英", "国庆", "雪梅", "振宇", "晨曦", "明辉", "婷婷", "子豪", "春燕", "立新"]
        let posts = ["窗口受理员", "审批员", "窗口负责人", "综合受理员"]
        var staffNo = 0
        var windowNo = 4
        for (i, (name, code, duties)) in departments.enumerated() {
            let d = DepartmentModel()
            d.centerID = county
            d.name = name
            d.code = code
            d.phone = "0533-60\(String(format: "%05d", 10100 + i))"
            d.canApproveOnSpot = true
            d.canReviewReported = true
            d.canSupervisePromised = true
            d.canCoordinateJoint = i < 4
            d.commitment = "\(name.replacingOccurrences(of: "县", with: ""))窗口承诺：材料齐全当场受理，承诺时限内办结，办结结果免费邮寄。"
            // Notices go out in the department's own full name (石桥县市场监督管理局), under its seal.
            d.issuer = IssuerKind.department.rawValue
            d.issuerName = "石桥" + name
            try await d.create(on: db)
            events.append(AuditEvent("department.create", "department", id: d.id, center: county, detail: ["code": code, "name": name]))
            var chief: UUID? = nil
            for k in 0..<2 {
                staffNo += 1
                let s = StaffModel()
                s.centerID = county
                s.departmentID = d.id
                s.name = String(surnames[(staffNo * 7) % surnames.count]) + given[(staffNo * 5) % given.count]
                s.jobNumber = String(format: "SQ%03d", staffNo)
                s.post = k == 0 ? "首席代表" : posts[staffNo % posts.count]
                s.partyMember = staffNo % 3 != 0
                s.duties = duties
                s.commitment = "一次告知、限时办结；不让群众多跑一次路，不让企业多交一份材料。"
                s.phone = "1390533" + String(format: "%04d", 1000 + staffNo)
                s.idNumber = syntheticID(
                    area: "370102", birth: String(format: "19%02d%02d%02d", 70 + staffNo % 25, 1 + staffNo % 12, 1 + staffNo % 28),
                    seq: staffNo)
                try await s.create(on: db)
                events.append(
                    AuditEvent("staff.create", "staff", id: s.id, center: county, detail: ["jobNumber": s.jobNumber, "name": s.name]))
                if k == 0 { chief = s.id }
            }
            d.chiefStaffID = chief
            try await d.update(on: db)
            windowNo += 1
            let w = WindowModel()
            w.centerID = county
            w.number = windowNo
            w.name = name.replacingOccurrences(of: "县", with: "") + "窗口"
            w.kind = WindowKind.department.rawValue
            w.departmentID = d.id
            w.isOpen = true
            w.phone = d.phone
            try await w.create(on: db)
            events.append(AuditEvent("window.create", "window", id: w.id, center: county, detail: ["number": String(w.number)]))
        }
        for n in 1...4 {
            let w = WindowModel()
            w.centerID = county
            w.number = n
            w.name = n == 4 ? "综合受理窗口（企业开办）" : "综合受理窗口"
            w.kind = WindowKind.comprehensive.rawValue
            w.isOpen = n != 4
            w.phone = "0533-60123\(44 + n)"
            try await w.create(on: db)
            events.append(AuditEvent("window.create", "window", id: w.id, center: county, detail: ["number": String(n)]))
        }
        events += try await CatalogDemo.seed(on: db, county: county, town: town, now: Date())
        events += try await QueueDemo.seed(on: db, county: county)
        if hallHistory { events += try await QueueDemoHistory.seed(on: db, county: county, today: today) }
        let admin = UserModel()
        admin.username = "admin"
        admin.displayName = "系统管理员"
        admin.passwordHash = adminHash
        admin.role = Role.centerAdmin.rawValue
        admin.centerID = province
        admin.failedLogins = 0
        admin.disabled = false
        try await admin.create(on: db)
        events.append(AuditEvent("user.create", "user", id: admin.id, center: province, detail: ["username": "admin", "role": admin.role]))
        return events
    }

    /// A well-formed but made-up identity number (valid check digit).
    static func syntheticID(area: String, birth: String, seq: Int) -> String {
        let body = area + birth + String(format: "%03d", 100 + seq % 900)
        return body + String(ResidentID.checkCharacter(for: body.compactMap { $0.wholeNumberValue }))
    }
}
