#!/usr/bin/env python3
"""Writes N generated, realistic-looking item rows as CSV (the import format) to stdout.
Usage: catalog_rows.py N PREFIX"""
import csv, random, sys

n, prefix = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(prefix)
objects = ["建设工程", "排污", "渔业捕捞", "药品零售", "烟草专卖零售", "道路运输", "出版物零售", "娱乐场所", "旅行社", "危险化学品经营",
           "林木采伐", "取水", "河道采砂", "养犬", "户外广告设置", "城市道路占用", "临时建筑", "燃气设施改动", "文物保护工程", "民办学校",
           "职业培训机构", "劳务派遣", "人力资源服务", "二类医疗器械经营", "兽药经营", "种子生产经营", "农药经营", "生猪定点屠宰", "粮食收购", "水路运输",
           "机动车维修", "驾驶员培训", "网络预约出租汽车", "公共场所", "放射诊疗", "消防设计", "人防工程", "房地产开发", "物业服务", "殡葬设施"]
acts = ["许可", "登记", "备案", "审批", "核准", "资格认定", "证明开具", "变更登记"]
kinds = [("新设", "new"), ("变更", "change"), ("延续", "renewal"), ("注销", "cancellation")]
materials = ["申请书", "营业执照", "法定代表人身份证明", "场所使用证明", "技术人员资格证明", "安全管理制度", "设备清单", "环境影响评价文件",
             "规划许可文件", "授权委托书"]
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["code", "name", "type", "tier", "exercise_level", "case_type", "legal_days", "promised_days", "fee_free", "basis",
            "conditions", "materials", "steps", "office_hours", "consult_phone", "supervise_phone", "visits", "theme", "keywords"])
for i in range(1, n + 1):
    obj, act = rnd.choice(objects), rnd.choice(acts)
    kind = rnd.choice(kinds)
    legal = rnd.choice([10, 15, 20, 30])
    mats = rnd.sample(materials, 4)
    w.writerow([f"{prefix}-{i:05d}", f"{obj}{act}（{kind[0]}）第{i}号", rnd.choice(["行政许可", "行政确认", "行政备案", "公共服务"]), "main",
                "county", "承诺件", legal, rnd.randint(1, legal // 2), "是", f"《{obj}管理条例》", f"从事{obj}活动的申请人",
                "\n".join(f"{m} | 原件 | 1 | 必需" for m in mats), "申请\n受理\n审查\n决定", "工作日 9:00–17:00",
                "0533-6010100", "12345", 1, rnd.choice(["personal", "business"]), f"{obj},{act}"])
