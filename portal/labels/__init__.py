"""Words for codes, in English and Welsh: stages, registers, money, dates, places, CPV."""
