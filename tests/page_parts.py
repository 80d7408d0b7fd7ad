"""The parts of the pages that draw one part at a time (tabs, each drawn when opened, named in
the URL as ?muc=): the codes of the parts after the first, which opens by default."""
OTHER_PARTS = {"ho_so_xa": ("vi_sao", "chi_tieu", "dien_bien", "du_bao", "ke_hoach"),
               "tinh_hinh_bao_cao": ("muoi_hai_thang", "tham_dinh")}
