/// Who a principal is, for deciding what it may see and do (DOMAIN.md §1).
public enum Role: String, CaseIterable, Codable, Sendable, Hashable {
    /// 群众/企业 — a member of the public who has signed in.
    case applicant
    /// 窗口工作人员
    case windowStaff = "window_staff"
    /// 首席代表
    case chiefRepresentative = "chief_representative"
    /// 中心管理员
    case centerAdmin = "center_admin"
    /// 电子监察/效能办/纪检
    case supervisor
    /// 机关工委 — runs the brand and star programmes.
    case campaignOffice = "campaign_office"
    /// 评审专家
    case expertReviewer = "expert_reviewer"
    /// 热线话务员
    case hotlineOperator = "hotline_operator"
    /// Devices, which sign in with scoped bearer tokens, never with a password.
    case kiosk
    case hallDisplay = "hall_display"
    case windowEvaluator = "window_evaluator"
    /// Outside evaluators (DOMAIN.md section 8): they score windows and units on the criteria of a
    /// campaign, and see nothing else of the center. 群众监督员
    case publicSupervisor = "public_supervisor"
    /// 行风评议员
    case conductReviewer = "conduct_reviewer"
    /// 特邀监察员
    case specialInspector = "special_inspector"

    public var isDevice: Bool { Role.devices.contains(self) }
    public static let devices: Set<Role> = [.kiosk, .hallDisplay, .windowEvaluator]
    public static let people: [Role] = allCases.filter { !$0.isDevice }
    /// People from outside the center who evaluate it: not its staff.
    public static let outsideEvaluators: Set<Role> = [.publicSupervisor, .conductReviewer, .specialInspector]
    public var isOutsideEvaluator: Bool { Role.outsideEvaluators.contains(self) }

    /// Roles whose accounts belong to one department of their center.
    public var needsDepartment: Bool { self == .chiefRepresentative }
    /// Device roles tied to one window rather than a whole center.
    public var needsWindow: Bool { self == .windowEvaluator }
}

/// The roles a route admits. `.public` admits anyone, signed in or not.
public enum Access: Sendable, Hashable {
    case `public`
    case roles(Set<Role>)

    public func admits(_ role: Role?) -> Bool {
        switch self {
        case .public: return true
        case .roles(let set): return role.map(set.contains) ?? false
        }
    }

    public static func only(_ roles: Role...) -> Access { .roles(Set(roles)) }
    public static let admins = Access.only(.centerAdmin)
    public static let adminsAndSupervisors = Access.only(.centerAdmin, .supervisor)
    /// Any signed-in member of staff: a person, not a device, not an applicant, not an outside
    /// evaluator.
    public static let staff = Access.roles(Set(Role.people).subtracting([.applicant]).subtracting(Role.outsideEvaluators))
    /// Anyone signed in as a person, applicants included.
    public static let people = Access.roles(Set(Role.people))
}

/// 5 failed sign-ins lock an account for 15 minutes (issue 2); both numbers are settings.
public struct LockoutPolicy: Sendable {
    public var maxFailures: Int
    public var lockSeconds: Double

    public init(maxFailures: Int = 5, lockSeconds: Double = 15 * 60) {
        self.maxFailures = maxFailures
        self.lockSeconds = lockSeconds
    }

    public enum Decision: Equatable, Sendable {
        case allowed
        case locked(untilSeconds: Double)
    }

    /// Whether a sign-in may be tried now.
    public func check(lockedUntil: Double?, now: Double) -> Decision {
        if let until = lockedUntil, until > now { return .locked(untilSeconds: until) }
        return .allowed
    }

    /// The state after a failed attempt: the new failure count and, when it reaches the limit, the
    /// lock's end (the count starts again after that).
    public func afterFailure(failures: Int, now: Double) -> (failures: Int, lockedUntil: Double?) {
        let n = failures + 1
        return n >= maxFailures ? (0, now + lockSeconds) : (n, nil)
    }
}
