"""Transcription-factor motifs gained and lost by a variant, from JASPAR matrices.

- `library`: the JASPAR CORE matrices that `pyjaspar` ships (offline SQLite), as log-odds
  position weight matrices against a background;
- `pvalues`: exact p-values of PWM scores (the score distribution under the background);
- `changes`: REF and ALT scanned with MOODS over every site that overlaps the variant; a site
  that is a hit on one allele and not on the other is a gain or a loss.

    library = MotifLibrary.jaspar()
    for change in motif_changes(library, ref_window, alt_window):
        print(change.effect, change.name, change.alt_pvalue)
"""

from model.motifs.changes import MotifChange, VariantWindows, motif_changes, variant_windows
from model.motifs.library import Motif, MotifLibrary

__all__ = ["Motif", "MotifChange", "MotifLibrary", "VariantWindows", "motif_changes", "variant_windows"]
