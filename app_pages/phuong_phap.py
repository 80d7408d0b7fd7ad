"""Phương pháp: the scoring method in plain Vietnamese, the reporting calendar, evidence and
review, task deadlines and the year-end projection, the settings in force, the sources."""
from datetime import date, timedelta

import polars as pl
import streamlit as st

from queries.clock import today
from queries.cycle import calendar
from queries.cycle.evidence import ALLOWED_TEXT
from queries.i18n import _
from queries.plans import deadlines, projection
from queries.settings import PILLARS, SETTINGS
from queries.status import STATUS_ICONS, STATUS_ORDER
from queries.text import format_date, format_month, format_percent
from ui.cycle import score_basis_text
from ui.format import in_sentence
from ui.markdown import literal
from ui.state import database, query

st.title(_("Phương pháp tính điểm"))
st.caption(
    _("Mọi con số trên bảng điều khiển được tính theo đúng các bước dưới đây, từ chỉ tiêu "
    "được giao và số liệu các xã báo cáo. Có thể tự tính lại bằng tay cho bất kỳ xã nào.")
)

db = database()
db.ensure_fresh()  # settings.json may have been edited since the last query
settings = db.settings
weights = {code: float(settings[f"weight_{code}"]) for code, _unused in PILLARS}
on_track = float(settings["on_track_ratio"])
speed_up = float(settings["speed_up_ratio"])
unreported_zero = settings["unreported_rule"] != "exclude"

st.header(_("1. Giá trị hiện tại của một chỉ tiêu"))
st.markdown(
    _("Giá trị của một chỉ tiêu tại tháng *p* là **số liệu báo cáo gần nhất có kỳ báo cáo "
    "không muộn hơn tháng *p*** (có thể từ năm trước). Số liệu của các tháng sau *p* không được "
    "dùng. Khi một xã tải lên số liệu mới cho cùng chỉ tiêu và cùng tháng, số mới thay số cũ; "
    "số cũ vẫn được lưu trong lịch sử và có thể khôi phục bằng cách hủy lần tải lên mới.")
)

st.header(_("2. Điểm của một chỉ tiêu (0–100)"))
st.markdown(
    _("Mục tiêu là **chỉ tiêu được giao cho xã trong năm của tháng *p***.\n\n"
    "- Chỉ tiêu càng cao càng tốt: **điểm = 100 × min(giá trị ÷ mục tiêu; 1)**; "
    "mục tiêu bằng 0 thì được 100 điểm. Vượt mục tiêu không được cộng thêm.\n")
    + (
        _("- Chỉ tiêu có mục tiêu nhưng **chưa có số liệu** đến tháng *p*: **0 điểm** "
        "(“không có minh chứng, không có điểm”, như bộ chỉ số DTI chính thức).\n")
        if unreported_zero else
        _("- Chỉ tiêu có mục tiêu nhưng **chưa có số liệu**: không tính vào trung bình "
        "(cài đặt hiện hành khác mặc định).\n")
    )
    + _("- Chỉ tiêu **Đạt** khi giá trị thỏa đúng dấu so sánh của mục tiêu: mục tiêu “> 80%” "
    "**chưa đạt** khi giá trị đúng bằng 80%, còn “≥ 80%” thì đạt. “100%” nghĩa là phải đạt 100%.")
)

st.header(_("3. Điểm trụ cột và điểm tổng"))
st.markdown(
    _("Các chỉ tiêu được gom thành **nhóm** theo một **bộ khung chỉ số**: sáu trụ cột DTI (mặc định), hoặc bộ khung "
    "khác như DTI cấp xã tám nhóm (thêm *nhận thức số* và *thể chế số*) hay bộ chỉ số riêng của một tỉnh. Bộ khung "
    "là một tệp CSV ghi từng nhóm, trọng số và các chỉ tiêu thuộc nhóm; mỗi năm dùng một bộ khung. Nạp bộ khung mới "
    "chỉ áp dụng từ năm hiện tại trở đi: **điểm các năm trước giữ bộ khung đã dùng để tính**.")
)
years = query("framework_of_years", this_year=today().year)
st.markdown(
    _("Bộ khung tính điểm từng năm (phần 12 liệt kê các bộ khung, nhóm, trọng số và chỉ tiêu của từng bộ):\n\n"
    "| Năm | Bộ khung | Mã, phiên bản | Trọng số |\n|---|---|---|---|\n")
    + "\n".join(_("| {year} | {name_vi} | `{framework_id}`, phiên bản {version} | {status} |").format(
        year=r['year'],
        name_vi=literal(r['name_vi']),
        framework_id=r['framework_id'],
        version=r['version'],
        status=r['status'])
                for r in years.iter_rows(named=True))
)
weight_table = pl.DataFrame({
    _("Mã"): [code for code, _unused in PILLARS],
    _("Trụ cột"): [name for _unused, name in PILLARS],
    _("Trọng số (điểm tối đa DTI)"): [weights[code] for code, _unused in PILLARS],
})
st.markdown(
    _("- **Điểm trụ cột** (điểm nhóm) = trung bình điểm các chỉ tiêu có mục tiêu của xã trong trụ cột đó, có trọng "
    "số theo bộ khung (sáu trụ cột: các chỉ tiêu như nhau).\n"
    "- **Điểm tổng** = trung bình có trọng số của điểm các trụ cột mà xã có chỉ tiêu; trụ cột "
    "xã không được giao chỉ tiêu nào thì không tính (không bị 0 điểm). Với sáu trụ cột, trọng số là điểm tối đa "
    "của từng trụ cột trong bộ DTI chính thức (cài đặt `weight_…`):")
)
st.dataframe(weight_table, hide_index=True, width="content")
st.markdown(
    _("- Chỉ tiêu đổi mới sáng tạo (đề tài khoa học, sáng kiến, khởi nghiệp — nhóm **DM**) được "
    "theo dõi riêng, **không** tính vào trụ cột nào.\n"
    "- **Tỷ lệ có số liệu** = số chỉ tiêu có số liệu ÷ số chỉ tiêu có mục tiêu; luôn hiển thị "
    "bên cạnh điểm để biết điểm dựa trên bao nhiêu minh chứng.")
)

st.subheader(_("Ví dụ tính tay"))
example_score = ((weights["HT"] * 50 + weights["NL"] * 100 + weights["KT"] * 100)
                 / (weights["HT"] + weights["NL"] + weights["CQ"] + weights["KT"]))
st.markdown(
    _("Xã A được giao 4 chỉ tiêu năm 2026; tháng 6/2026:\n\n| Chỉ tiêu | Trụ cột | Mục tiêu | Giá "
        "trị | Điểm |\n|---|---|---|---|---|\n| Hộ có cáp quang | HT | ≥ 80% | 40% | 100 × 40/80 = "
        "**50** |\n| Cán bộ được tập huấn | NL | > 80% | 80% | **100** (nhưng *chưa đạt* vì “>”) |\n| "
        "Thủ tục trực tuyến toàn trình | CQ | ≥ 50% | chưa báo cáo | **0** |\n| Sản phẩm OCOP lên "
        "sàn | KT | ≥ 2 | 5 | **100** (không cộng vượt) |\n\nĐiểm tổng = ({HT:g}×50 + {NL:g}×100 + "
        "{CQ:g}×0 + {KT:g}×100) ÷ ({HT:g} + {NL:g} + {CQ:g} + {KT:g}) = **{example_score:.2f}**").format(
        HT=weights['HT'],
        NL=weights['NL'],
        CQ=weights['CQ'],
        KT=weights['KT'],
        example_score=example_score)
    .replace(".", ",")
    + _(" (AT và XH không có chỉ tiêu nên không tính); tỷ lệ có số liệu 3/4 = 75 %.")
)

st.header(_("4. Xếp hạng"))
st.markdown(
    _("Điểm tổng được **làm tròn 2 chữ số thập phân rồi mới xếp hạng**. Các xã bằng điểm "
    "**cùng hạng** (ví dụ 1, 2, 2, 4) và được liệt kê theo thứ tự chữ cái tiếng Việt "
    "(D trước Đ, Đ trước E). Thay đổi hạng so với tháng trước: ▲ lên hạng, ▼ xuống hạng. "
    "Xã chưa được giao chỉ tiêu năm đó không được xếp hạng. Có thể xếp hạng trong một tỉnh "
    "hoặc chung tất cả các tỉnh.\n\n"
    "**Trọng số giả định**: trang Xếp hạng cho kéo trọng số các nhóm (tổng luôn 100 %) để xem xếp hạng sẽ ra sao, "
    "đặt cạnh xếp hạng chính thức. Xếp hạng thử tính lại từ chính các điểm nhóm đã tính, theo đúng cách trên, và "
    "không thay đổi số liệu hay xếp hạng chính thức nào; bảng tải về ghi rõ “trọng số giả định”.")
)

st.header(_("5. Tình trạng tiến độ của từng chỉ tiêu"))
st.markdown(
    _("**Mốc xuất phát** là giá trị gần nhất trước ngày 1/1 của năm; nếu không có thì lấy giá trị "
    "đầu tiên trong năm. Nối mốc xuất phát với mục tiêu cuối năm (tháng 12) bằng một đường "
    "thẳng: đó là **mức cần đạt** của từng tháng. **Tỷ lệ tiến độ** R = (giá trị − mốc) ÷ "
    "(mức cần đạt − mốc).")
)
st.dataframe(
    pl.DataFrame({
        _("Tình trạng"): [f"{STATUS_ICONS[s]} {_(s)}" for s in STATUS_ORDER],
        _("Khi nào"): [
            _("Giá trị thỏa mục tiêu (đúng dấu so sánh)"),
            _("Chưa đạt, R ≥ {on_track:g}").format(on_track=on_track).replace(".", ","),
            f"{speed_up:g} ≤ R < {on_track:g}".replace(".", ","),
            f"0 ≤ R < {speed_up:g}".replace(".", ","),
            _("R < 0: giá trị thấp hơn mốc xuất phát"),
            _("Không vẽ được đường tiến độ (mới có một số liệu đầu năm, hoặc mốc đã vượt mục tiêu)"),
            _("Chưa có số liệu nào đến tháng đang xem"),
        ],
    }),
    hide_index=True,
)

st.header(_("6. Báo cáo hằng tháng: hạn nộp, trễ hạn, khóa sổ"))
deadline_day = int(settings["report_deadline_day"])
lock_days = int(settings["lock_after_days"])
example = date(2026, 10, 1)
example_deadline = calendar.deadline_date(example, settings)
st.markdown(
    _("Theo kế hoạch của các xã, các đơn vị báo cáo Phòng Văn hóa – Xã hội trước ngày 15 và xã "
        "báo cáo tỉnh trước ngày 20 của tháng sau. Với cài đặt đang áp dụng (giờ Việt Nam, "
        "UTC+7):\n\n- Báo cáo tháng M **đúng hạn** khi tỉnh nhận được **trước ngày {deadline_day} của "
        "tháng M+1**, tức đến 23 giờ 59 ngày {value}. Ví dụ: báo cáo {example} đúng hạn nếu nhận "
        "trước {example_deadline}.\n- Nhận từ ngày {deadline_day} trở đi là **trễ hạn**; **số ngày "
        "trễ** = ngày nhận − ngày hạn + 1: nhận ngày {example_deadline2} là trễ 1 ngày, nhận ngày "
        "{value2} là trễ 8 ngày.\n- Chưa nhận được gì: **chưa nộp** khi đã qua hạn, **chưa đến hạn** "
        "khi hạn chưa tới.\n- **Ngày nhận** là lần tải lên sớm nhất còn hiệu lực đã mang số liệu của "
        "xã cho tháng đó. Sửa số liệu sau hạn không làm xã thành trễ hạn; nếu lần tải lên đó bị hủy "
        "thì tính theo lần tiếp theo. Số liệu có sẵn trong kế hoạch đã ký không tính là một lần báo "
        "cáo.\n- Tháng M **khóa sổ** {lock_days} ngày sau hạn, lúc 0 giờ: {example2} khóa sổ ngày "
        "{closes_on}. Sau đó cán bộ xã không sửa được số liệu tháng đó nữa; chỉ Quản trị tỉnh sửa "
        "được và phải ghi lý do (lý do được lưu trong nhật ký).\n- **Tỷ lệ đúng hạn** của một xã = "
        "số tháng nộp đúng hạn ÷ số tháng đã đến hạn (trong 12 tháng gần nhất; tháng chưa đến hạn "
        "không tính).").format(
        deadline_day=deadline_day,
        value=deadline_day - 1,
        example=in_sentence(format_month(example)),
        example_deadline=format_date(example_deadline),
        example_deadline2=format_date(example_deadline),
        value2=format_date(example_deadline + timedelta(days=7)),
        lock_days=lock_days,
        example2=in_sentence(format_month(example)),
        closes_on=format_date(calendar.closes_on(example, settings)))
)

st.header(_("7. Minh chứng và thẩm định"))
st.markdown(
    _("- Mỗi lần tải lên có thể kèm **tệp minh chứng**: {ALLOWED_TEXT}, mỗi tệp tối đa "
        "{evidence_max_mb:g} MB. Loại tệp được nhận biết theo **nội dung**, và tên tệp phải có đúng "
        "đuôi của loại đó (tệp PDF phải có đuôi .pdf); một tệp không hợp lệ thì cả lần tải lên bị "
        "từ chối (kể cả các dòng số liệu), để không có số liệu nào mang minh chứng giả.\n- Minh "
        "chứng gắn với lần tải lên, nên với mọi số liệu lần tải lên đó mang tới. Hồ sơ xã ghi số "
        "liệu nào đang dùng có minh chứng và cho tải tệp về.\n- **Quản trị tỉnh thẩm định** số liệu "
        "từng tháng của từng xã: **Đã thẩm định**, hoặc **Yêu cầu bổ sung** kèm nhận xét (bắt buộc) "
        "mà xã thấy trên hồ sơ của mình. Tháng đã có số liệu mà chưa được thẩm định là **Chờ thẩm "
        "định**; xã tải lên số liệu mới sau khi đã thẩm định thì tháng đó trở lại **Chờ thẩm "
        "định**.\n- **{score_basis_text}** (cài đặt `score_basis`").format(
        ALLOWED_TEXT=ALLOWED_TEXT,
        evidence_max_mb=float(settings['evidence_max_mb']),
        score_basis_text=score_basis_text(settings))
    + (_(": mọi số liệu đã nhận đều được tính điểm ngay, không chờ thẩm định).") if settings["score_basis"] != "reviewed"
       else _(": số liệu của tháng chưa được thẩm định chưa được tính điểm)."))
)

st.header(_("8. Nhiệm vụ và thời hạn"))
st.markdown(deadlines.METHOD_TEXT_VI)
st.markdown(
    _("Trạng thái của nhiệm vụ do xã báo cáo (tải tệp lên hoặc cập nhật ở trang Nhiệm vụ): **Chưa bắt đầu**, "
    "**Đang thực hiện** hoặc **Hoàn thành** (kèm ngày hoàn thành). **Quá hạn** không ai ghi: nó được tính từ "
    "thời hạn và ngày xem, và được ưu tiên hơn “Chưa bắt đầu”, “Đang thực hiện”. Nhiệm vụ hoàn thành sau hạn "
    "không còn quá hạn nhưng được ghi là hoàn thành trễ hạn.")
)

st.header(_("9. Dự báo đến cuối năm"))
st.markdown(projection.METHOD_TEXT_VI)

st.header(_("10. Nguồn số liệu"))
st.markdown(
    _("- **Chỉ tiêu** lấy từ kế hoạch chuyển đổi số đã ký của các xã (mỗi chỉ tiêu ghi văn bản "
    "và mục nguồn, cơ quan chủ trì) và từ các tệp chỉ tiêu được tải lên.\n"
    "- **Số liệu thực hiện** lấy từ báo cáo trong kế hoạch (kết quả năm 2024 của xã Định Tiến) "
    "và từ các tệp báo cáo tháng các xã tải lên; mỗi số liệu ghi lần tải lên và dòng của tệp.\n"
    "- **Dữ liệu minh họa**: tỉnh “Minh Họa” là tỉnh giả định, số liệu do máy sinh ra để "
    "trình diễn; luôn được ghi rõ “Dữ liệu minh họa” trên màn hình, không phải số liệu thật.")
)
documents = query("plan_documents")
if documents.height:
    st.dataframe(
        documents.filter(~pl.col("is_demo")).drop("is_demo").rename({
            "source_doc": _("Văn bản"), "province": _("Tỉnh"), "communes": _("Xã"),
            "years": _("Năm"), "n_targets": _("Số chỉ tiêu"),
        }),
        hide_index=True,
    )

st.header(_("11. Cài đặt đang áp dụng"))
st.markdown(_("Quản trị viên có thể đổi các giá trị này trong tệp `settings.json` của thư mục lưu trữ."))
st.dataframe(
    pl.DataFrame({
        _("Tên"): [s.name for s in SETTINGS],
        _("Giá trị"): [str(settings[s.name]) for s in SETTINGS],
        _("Mặc định"): [str(s.default) for s in SETTINGS],
        _("Ý nghĩa"): [_(s.help_vi) for s in SETTINGS],
    }),
    hide_index=True,
)

st.header(_("12. Các bộ khung chỉ số"))
st.markdown(
    _("Mỗi bộ khung là một tệp CSV (xem trong thư mục `data/frameworks/`): mã và tên bộ khung, phiên bản, năm áp dụng, "
    "trạng thái trọng số (chính thức / chưa chính thức), văn bản nguồn; rồi mỗi dòng một chỉ tiêu với nhóm, tên nhóm, "
    "trọng số nhóm và trọng số của chỉ tiêu trong nhóm. Quản trị toàn quốc nạp tệp mới ở trang Quản trị; tệp được "
    "kiểm tra từng dòng trước khi nạp và việc nạp được ghi vào nhật ký.")
)
frameworks_known = query("frameworks")
for row in frameworks_known.iter_rows(named=True):
    groups = query("framework_groups", framework=row["framework_key"], period=None)
    members = query("framework_members", framework=row["framework_key"], period=None)
    listed = dict(members.group_by("group_code", maintain_order=True).agg(pl.col("indicator").str.join(", ")).iter_rows())
    st.markdown(
        _("**{name_vi}** — `{framework_id}`, phiên bản {version}, trọng số **{status}**; áp dụng "
            "được từ năm {year_from}").format(
            name_vi=literal(row['name_vi']),
            framework_id=row['framework_id'],
            version=row['version'],
            status=row['status'],
            year_from=row['year_from']) + (_(" đến năm {year_to}").format(year_to=row['year_to']) if row["year_to"] else "")
        + _(". Nguồn: {document}.\n\n").format(document=literal(row['document'] or '–'))
        + _("| Mã | Nhóm | Trọng số | Tỷ trọng | Chỉ tiêu |\n|---|---|---|---|---|\n")
        + "\n".join(f"| {g['code']} | {literal(g['name_vi'])} | {g['weight']:g} | {format_percent(g['share'], 2)} | "
                    f"{listed.get(g['code'], '')} |" for g in groups.iter_rows(named=True))
    )
