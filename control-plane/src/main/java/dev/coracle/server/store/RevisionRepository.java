package dev.coracle.server.store;

import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

import java.util.List;

interface RevisionRepository extends JpaRepository<RevisionRecord, Long> {

    @Query("select r from RevisionRecord r where r.revision > ?1 order by r.revision")
    List<RevisionRecord> after(long revision, Limit limit);

    @Modifying
    @Query("delete from RevisionRecord r where r.revision < ?1")
    int deleteBefore(long revision);
}
