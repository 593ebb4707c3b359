"""Write services of the liaison app, split by sub-domain."""

from liaison.services.assignments import (
    assign_cadre,
    check_can_cover,
    create_cadre,
    end_assignment,
)

__all__ = ["assign_cadre", "check_can_cover", "create_cadre", "end_assignment"]
